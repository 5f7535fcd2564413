// "Copy link" on a saved design's page.

const button = document.querySelector("[data-copy-link]");
const field = document.querySelector("[data-permalink]");
const status = document.querySelector("[data-copy-status]");

if (button && field) {
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    status.textContent = "Link copied. Paste it anywhere to share this design.";
  });
}
