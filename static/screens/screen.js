// Generated screens: process buttons run the flow blocking (sync, overlay) or in the
// background (202, then the result arrives over the execution's websocket).

const config = JSON.parse(document.getElementById("screen-config").textContent);
const form = document.getElementById("screen-form");
const overlay = document.getElementById("blocking-overlay");
const result = document.getElementById("result");
const runs = document.getElementById("runs");

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function readInput() {
  const input = {};
  const problems = [];
  for (const el of form.querySelectorAll("[data-type]")) {
    const type = el.dataset.type;
    if (type === "boolean") {
      input[el.name] = el.checked;
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") {
      if (el.required) problems.push(`${el.name} is required`);
      continue;
    }
    if (type === "number") input[el.name] = Number(raw);
    else if (type === "integer") input[el.name] = Number.parseInt(raw, 10);
    else if (type === "datetime") input[el.name] = new Date(raw).toISOString();
    else if (type === "object" || type === "list") {
      try {
        input[el.name] = JSON.parse(raw);
      } catch {
        problems.push(`${el.name} is not valid JSON`);
      }
    } else input[el.name] = raw;
  }
  return { input, problems };
}

function renderValue(container, value) {
  container.replaceChildren();
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const dl = document.createElement("dl");
    dl.className = "output";
    for (const [key, val] of Object.entries(value)) {
      const dt = document.createElement("dt");
      dt.textContent = key;
      const dd = document.createElement("dd");
      dd.dataset.testid = `output-${key}`;
      dd.textContent = typeof val === "object" ? JSON.stringify(val) : String(val);
      dl.append(dt, dd);
    }
    container.append(dl);
  } else {
    container.textContent = JSON.stringify(value);
  }
}

function showExecution(container, execution) {
  container.classList.remove("muted", "error");
  container.dataset.status = execution.status;
  if (execution.status === "completed") {
    renderValue(container, execution.output || {});
  } else if (execution.error) {
    container.classList.add("error");
    container.textContent = `${execution.status}: ${execution.error.message}`;
  } else if (execution.status === "waiting") {
    const labels = (execution.waiting_for || []).map((w) => w.label || w.name);
    container.textContent = `waiting for ${labels.join(" or ")}…`;
  } else {
    container.textContent = `${execution.status}…`;
  }
}

function showError(container, message) {
  container.classList.remove("muted");
  container.classList.add("error");
  container.textContent = message;
}

async function start(button) {
  const { input, problems } = readInput();
  if (problems.length) {
    showError(result, problems.join("; "));
    return null;
  }
  const blocking = button.dataset.blocking === "true";
  const url = `/api/flows/${encodeURIComponent(button.dataset.flow)}/executions${blocking ? "?sync=true" : ""}`;
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({
      input,
      source: { type: "screen", screen: config.key, button: button.dataset.button },
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error || {};
    const details = (error.details && error.details.errors) || [];
    const extra = details.map((d) => `${d.field || d.node || ""}: ${d.message}`).join("; ");
    showError(result, `${error.message || response.statusText}${extra ? ` (${extra})` : ""}`);
    return null;
  }
  return { status: response.status, execution: body };
}

function follow(execution, item) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/executions/${execution.id}/`);
  const body = item.querySelector(".run-body");
  let done = false;
  const refresh = async () => {
    const response = await fetch(`/api/executions/${execution.id}`, { credentials: "same-origin" });
    if (response.ok) update(await response.json());
  };
  const update = (doc) => {
    showExecution(body, doc);
    item.dataset.status = doc.status;
    if (["completed", "failed", "cancelled", "timeout"].includes(doc.status)) {
      done = true;
      socket.close();
    }
  };
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const documents = ["execution.snapshot", "execution.finished", "execution.waiting", "execution.transition"];
    if (documents.includes(message.type)) {
      update(message.execution);
    } else if (message.type === "execution.progress") {
      item.querySelector("progress").value = message.progress;
    }
  });
  // The channel layer is at-most-once: if the socket drops before the end, ask over HTTP.
  socket.addEventListener("close", () => {
    if (!done) setTimeout(refresh, 500);
  });
}

function addRun(button, execution) {
  const item = document.createElement("li");
  item.className = "run";
  item.dataset.testid = `run-${execution.id}`;
  item.dataset.status = execution.status;
  const title = document.createElement("div");
  title.className = "run-title";
  title.textContent = `${button.textContent.trim()} · ${new Date().toLocaleTimeString()}`;
  const progress = document.createElement("progress");
  progress.max = 100;
  progress.value = execution.progress || 0;
  const body = document.createElement("div");
  body.className = "run-body";
  body.dataset.testid = "run-result";
  item.append(title, progress, body);
  runs.prepend(item);
  showExecution(body, execution);
  return item;
}

async function press(button) {
  const blocking = button.dataset.blocking === "true";
  if (blocking) {
    overlay.hidden = false;
    form.inert = true;
  }
  try {
    const answer = await start(button);
    if (!answer) return;
    if (answer.status === 200) {
      showExecution(result, answer.execution);
    } else {
      if (blocking) {
        result.classList.add("muted");
        result.textContent = "Still running: moved to the background.";
      }
      follow(answer.execution, addRun(button, answer.execution));
    }
  } catch (error) {
    showError(result, `Could not reach the server: ${error.message}`);
  } finally {
    overlay.hidden = true;
    form.inert = false;
  }
}

for (const button of form.querySelectorAll(".process-button")) {
  button.addEventListener("click", () => press(button));
}
