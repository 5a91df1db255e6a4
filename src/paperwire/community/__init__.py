"""Community features: votes, comments, submissions, collections, trending and moderation."""
