// Turns the list of step links and their sections into keyboard-usable tabs.
// Without JavaScript the links simply jump to each section, all of which stay visible.

export function setUpSteps(nav, onChange = () => {}) {
  const list = nav.querySelector("ol");
  const links = [...nav.querySelectorAll("[data-step-link]")];
  const panels = links.map((link) => document.getElementById(link.dataset.stepLink));
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-label", nav.getAttribute("aria-label") || "Steps");
  links.forEach((link, index) => {
    link.parentElement.setAttribute("role", "presentation");
    link.setAttribute("role", "tab");
    link.setAttribute("aria-controls", panels[index].id);
    panels[index].setAttribute("role", "tabpanel");
    panels[index].setAttribute("aria-labelledby", link.id);
  });

  function select(index, { focus = false } = {}) {
    links.forEach((link, i) => {
      const active = i === index;
      link.setAttribute("aria-selected", String(active));
      link.tabIndex = active ? 0 : -1;
      panels[i].hidden = !active;
    });
    if (focus) links[index].focus();
    links[index].scrollIntoView({ block: "nearest", inline: "nearest" });
    onChange(panels[index]);
  }

  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      select(index);
    });
    link.addEventListener("keydown", (event) => {
      const last = links.length - 1;
      const moves = {
        ArrowRight: index === last ? 0 : index + 1,
        ArrowDown: index === last ? 0 : index + 1,
        ArrowLeft: index === 0 ? last : index - 1,
        ArrowUp: index === 0 ? last : index - 1,
        Home: 0,
        End: last,
      };
      if (event.key in moves) {
        event.preventDefault();
        select(moves[event.key], { focus: true });
      } else if (event.key === " ") {
        event.preventDefault();
        select(index);
      }
    });
  });

  document.querySelectorAll("[data-step-go]").forEach((button) => {
    button.addEventListener("click", () => {
      const index = panels.findIndex((panel) => panel.id === button.dataset.stepGo);
      select(index, { focus: true });
    });
  });

  // On a narrow screen the steps scroll sideways: fade the edge that has more of them.
  function markOverflow() {
    const more = [];
    if (list.scrollLeft > 1) more.push("start");
    if (list.scrollLeft + list.clientWidth < list.scrollWidth - 1) more.push("end");
    list.dataset.more = more.join(" ");
  }
  list.addEventListener("scroll", markOverflow, { passive: true });
  window.addEventListener("resize", markOverflow);

  const fromHash = panels.findIndex((panel) => `#${panel.id}` === window.location.hash);
  select(fromHash >= 0 ? fromHash : 0);
  markOverflow();

  return {
    // Show the step holding `element` (an attribute's control).
    reveal(element) {
      const index = panels.findIndex((panel) => panel.contains(element));
      if (index >= 0 && panels[index].hidden) select(index);
    },
    links,
    panels,
  };
}
