"""A paper page as Markdown: what ``HfApi.read_paper`` returns, and handy for LLM tools."""

from paperwire.arxiv_urls import abs_url, pdf_url
from paperwire.bibtex import bibtex_entry, paper_year
from paperwire.store.schema import Paper


def paper_bibtex(paper: Paper) -> str:
    return bibtex_entry(
        arxiv_id=paper.arxiv_id,
        title=paper.title,
        authors=paper.authors,
        year=paper_year(paper.arxiv_id, paper.published_at, paper.listing_date),
        primary_category=paper.primary_category,
        doi=paper.doi,
        journal_ref=paper.journal_ref,
    )


def paper_markdown(paper: Paper) -> str:
    lines = [f"# {paper.title}", ""]
    lines.append(f"**Authors:** {', '.join(paper.authors) or 'unknown'}")
    lines.append("")
    lines.append(f"**arXiv:** [{paper.arxiv_id}]({abs_url(paper.arxiv_id)}) ")
    if paper.categories:
        lines.append(f"**Categories:** {', '.join(paper.categories)} ")
    if paper.listing_date:
        lines.append(f"**Listed:** {paper.listing_date.isoformat()} ")
    if paper.comment:
        lines.append(f"**Comment:** {paper.comment} ")
    if paper.journal_ref:
        lines.append(f"**Journal reference:** {paper.journal_ref} ")
    if paper.doi:
        lines.append(f"**DOI:** {paper.doi} ")
    lines.append(f"**PDF:** {pdf_url(paper.arxiv_id)} ")
    for url in paper.code_urls:
        lines.append(f"**Code:** {url} ")
    for url in paper.project_urls:
        lines.append(f"**Project page:** {url} ")
    lines += ["", "## Abstract", "", paper.abstract or "(no abstract)", ""]
    lines += ["## Citation", "", "```bibtex", paper_bibtex(paper), "```", ""]
    return "\n".join(lines)
