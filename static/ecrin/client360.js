// Client 360: show the instant-messaging warning only when that channel is
// chosen. Without JavaScript the warning simply stays visible.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".ecrin-contact-form").forEach((form) => {
    const channel = form.querySelector("select[name=channel]");
    const warning = form.querySelector("[data-im-warning]");
    if (!channel || !warning) return;
    const update = () => {
      warning.hidden = channel.value !== "instant_messaging";
    };
    channel.addEventListener("change", update);
    update();
  });
});

// The card's "Log a contact" opens its form where it sits in the timeline;
// a form sent back with errors stays open.
const openLogContact = () => {
  const details = document.getElementById("log-contact");
  if (details && window.location.hash === "#log-contact") {
    details.open = true;
    const first = details.querySelector("select, input, textarea");
    if (first) first.focus();
  }
};
window.addEventListener("hashchange", openLogContact);
document.addEventListener("DOMContentLoaded", () => {
  openLogContact();
  const details = document.getElementById("log-contact");
  if (details && details.querySelector(".errorlist")) details.open = true;
});
