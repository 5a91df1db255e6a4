// Upvotes without a page reload, and confirmation before deleting. Every form works without it.
"use strict";

function wireVotes() {
  document.querySelectorAll("form[data-vote]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var token = form.querySelector("input[name=csrf_token]").value;
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRF-Token": token },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          button.disabled = false;
          button.classList.toggle("voted", data.upvoted);
          button.setAttribute("aria-pressed", String(data.upvoted));
          button.title = data.upvoted ? "Remove your upvote" : "Upvote";
          form.querySelector(".vote-count").textContent = data.upvotes;
        })
        .catch(function () {
          form.submit(); // the plain post shows the server's explanation
        });
    });
  });
}

function wireConfirmations() {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  wireVotes();
  wireConfirmations();
});
