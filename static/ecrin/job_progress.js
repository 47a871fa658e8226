// Follows a long job on its page: asks for its progress every second,
// updates the bar and its words, and reloads the page when the job ends.
// Without JavaScript the page's "Refresh" link does the same.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-progress-url]").forEach((box) => {
    const bar = box.querySelector("progress");
    const percent = box.querySelector("[data-progress-percent]");
    const label = box.querySelector("[data-progress-label]");
    const poll = () => {
      fetch(box.dataset.progressUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => (response.ok ? response.json() : null))
        .then((state) => {
          if (!state) return;
          if (state.finished) {
            window.location.reload();
            return;
          }
          if (state.percent !== null) {
            bar.value = state.percent;
            percent.textContent = `${state.percent} %`;
          }
          label.textContent = state.label;
          window.setTimeout(poll, 1000);
        })
        .catch(() => window.setTimeout(poll, 3000));
    };
    window.setTimeout(poll, 1000);
  });
});
