// The review table: "select all on this page", and a confirmation before declining.
document.addEventListener("change", (event) => {
  if (event.target.id === "pick-all") {
    for (const box of document.querySelectorAll("input.pick")) box.checked = event.target.checked;
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
