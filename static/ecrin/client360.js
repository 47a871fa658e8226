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
