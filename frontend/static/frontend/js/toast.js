// Small, polite pop-up messages in the corner (the #toasts live region in base.html).

const LIFETIME_MS = 8000;

/**
 * Show a toast.
 * @param {string} text what to say (plain text, never HTML)
 * @param {{kind?: "info"|"error", href?: string, linkText?: string}} [options]
 */
export function showToast(text, options = {}) {
  const region = document.getElementById("toasts");
  if (!region) return null;
  const toast = document.createElement("div");
  toast.className = options.kind === "error" ? "toast toast--error" : "toast";
  const body = document.createElement("p");
  body.className = "toast__text";
  body.textContent = text;
  toast.append(body);
  if (options.href) {
    const link = document.createElement("a");
    link.href = options.href;
    link.textContent = options.linkText || options.href;
    toast.append(link);
  }
  region.append(toast);
  window.setTimeout(() => toast.remove(), LIFETIME_MS);
  return toast;
}
