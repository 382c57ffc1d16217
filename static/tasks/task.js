// A task's process buttons fire the state's manual transitions. Non-blocking: the answer is
// 202 and the process moves on in the background; a 409 means someone else decided first.

const config = JSON.parse(document.getElementById("task-config").textContent);
const form = document.getElementById("task-form");
const outcome = document.getElementById("outcome");

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function readInput() {
  const input = {};
  for (const el of form.querySelectorAll("[data-type]")) {
    if (el.type === "checkbox") {
      input[el.name] = el.checked;
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") continue;
    input[el.name] = el.dataset.type === "number" ? Number(raw) : raw;
  }
  return input;
}

function show(text, state) {
  outcome.classList.remove("muted", "error");
  if (state === "error") outcome.classList.add("error");
  outcome.dataset.state = state;
  outcome.textContent = text;
}

async function fire(button) {
  const buttons = form.querySelectorAll(".process-button");
  for (const b of buttons) b.disabled = true;
  const url = `/api/executions/${config.execution}/transitions/${encodeURIComponent(button.dataset.transition)}`;
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ input: readInput() }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      show(`${button.textContent.trim()}: done, the process moves on.`, "done");
      return;
    }
    const message = (body.error && body.error.message) || response.statusText;
    show(response.status === 409 ? `Already decided: ${message}` : message, "error");
    if (response.status !== 409) for (const b of buttons) b.disabled = false;
  } catch (error) {
    show(`Could not reach the server: ${error.message}`, "error");
    for (const b of buttons) b.disabled = false;
  }
}

if (form) {
  for (const button of form.querySelectorAll(".process-button")) {
    button.addEventListener("click", () => fire(button));
  }
}
