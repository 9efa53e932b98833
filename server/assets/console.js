// Maestro console: streams chat replies (server-sent events over fetch) and
// keeps the page usable without it — every form also works as a plain POST.
"use strict";

(function () {
  // Reads an event stream: calls onEvent(name, data) for each event.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(name, data.join("\n"));
      }
    }
  }

  // Sends a chat form and shows the turn as it streams in.
  async function send(form, submitter) {
    const transcript = document.getElementById("transcript");
    const status = document.getElementById("status");
    const body = new URLSearchParams(new FormData(form));
    // The button pressed (Confirm or Cancel) is part of what is said.
    if (submitter && submitter.name) body.set(submitter.name, submitter.value);
    const csrf = body.get("csrf");
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    const turn = document.createElement("div");
    turn.className = "turn";
    transcript.appendChild(turn);
    let delta = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { Accept: "text/event-stream", "X-CSRF-Token": csrf },
        body: body,
        credentials: "same-origin",
      });
      if (!response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const alert = page.querySelector("[role=alert]");
        throw new Error(alert ? alert.textContent : response.statusText);
      }
      if (form.id === "chat") form.reset();
      await readEvents(response, (name, data) => {
        if (name === "part") {
          if (delta) { delta.remove(); delta = null; }
          turn.insertAdjacentHTML("beforeend", data);
        } else if (name === "delta") {
          if (!delta) {
            delta = document.createElement("div");
            delta.className = "reply";
            turn.appendChild(delta);
          }
          delta.textContent += data;
        } else if (name === "status") {
          status.textContent = data;
        } else if (name === "done") {
          status.textContent = "";
        }
      });
    } catch (error) {
      const p = document.createElement("p");
      p.className = "notice error";
      p.setAttribute("role", "alert");
      p.textContent = error.message || String(error);
      turn.appendChild(p);
    } finally {
      status.textContent = "";
      buttons.forEach((b) => (b.disabled = false));
      turn.scrollIntoView({ block: "end" });
      if (form.id === "chat") document.getElementById("message").focus();
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("chat-form") || !window.fetch) return;
    event.preventDefault();
    send(form, event.submitter);
  });

  // Enter sends, Shift+Enter starts a new line.
  document.addEventListener("keydown", (event) => {
    if (event.target.id === "message" && event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  window.addEventListener("load", () => {
    const transcript = document.getElementById("transcript");
    if (transcript && transcript.lastElementChild) transcript.lastElementChild.scrollIntoView({ block: "end" });
  });
})();
