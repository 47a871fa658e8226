// The header's client search (templates/admin/includes/header_search.html).
// Enter submits the form: the client list with q=. While typing, up to a
// few matching clients are asked for (a POST: what is typed never sits in
// a URL or a request line) and listed under the box; arrow keys move
// through them, Enter or a tap opens one, Escape closes the list.
// Built with textContent only: nothing typed or returned becomes HTML.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("ecrin-search");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const panel = form.querySelector(".ecrin-search-panel");
  const list = panel.querySelector("ul");
  const note = panel.querySelector("[data-search-note]");
  const token = form.querySelector("[data-suggest-token]").value;
  const MIN_LENGTH = 2;
  let timer = null;
  let controller = null;
  let active = -1;

  const close = () => {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const options = () => Array.from(list.querySelectorAll("[role=option]"));

  const highlight = (index) => {
    const items = options();
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0 && items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const show = (data) => {
    list.replaceChildren();
    (data.results || []).forEach((client, i) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = `ecrin-search-option-${i}`;
      const link = document.createElement("a");
      link.href = client.url;
      link.tabIndex = -1;
      const name = document.createElement("span");
      name.className = "ecrin-search-name";
      name.textContent = client.name;
      const meta = document.createElement("span");
      meta.className = "ecrin-search-meta";
      meta.textContent = `${client.number} · ${client.boutique}`;
      link.append(name, meta);
      item.append(link);
      list.append(item);
    });
    note.textContent = data.error || data.note || "";
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  };

  const ask = () => {
    const term = input.value.trim();
    if (term.length < MIN_LENGTH) {
      close();
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    const body = new URLSearchParams({ q: term });
    fetch(form.dataset.suggestUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      signal: controller.signal,
      headers: { Accept: "application/json", "X-CSRFToken": token },
    })
      .then((response) => response.json())
      .then((data) => {
        if (input.value.trim() === term) show(data);
      })
      .catch(() => {});
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 200);
  });

  input.addEventListener("keydown", (event) => {
    const items = options();
    if (event.key === "ArrowDown" && !panel.hidden && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && !panel.hidden && items.length) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && items[active]) {
      event.preventDefault();
      window.location.assign(items[active].querySelector("a").href);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) close();
  });
});
