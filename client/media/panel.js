// Wasm Warden panel script: the only script a panel runs (loaded with a nonce; no inline scripts).
// It turns clicks on locations and buttons into messages for the extension, applies live updates
// sent by the extension, and keeps the scroll position across hide/show.
(function () {
  const vscode = acquireVsCodeApi();
  const content = document.getElementById('content');
  const state = vscode.getState() || {};
  if (state.scrollY) window.scrollTo(0, state.scrollY);
  window.addEventListener('scroll', () => vscode.setState({ ...(vscode.getState() || {}), scrollY: window.scrollY }));

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('a.loc, button[data-command]') : null;
    if (!target) return;
    event.preventDefault();
    if (target.matches('a.loc')) {
      vscode.postMessage({
        type: 'open',
        uri: target.getAttribute('data-uri'),
        line: target.getAttribute('data-line'),
        character: target.getAttribute('data-character'),
        offset: target.getAttribute('data-offset'),
      });
    } else {
      vscode.postMessage({ type: 'command', command: target.getAttribute('data-command'), arg: target.getAttribute('data-arg') });
    }
  });

  window.addEventListener('message', (event) => {
    const msg = event.data || {};
    if (msg.type === 'replace' && typeof msg.html === 'string') {
      // html is built by the extension from escaped parts (see panels/html.ts)
      const el = msg.target ? document.getElementById(msg.target) : content;
      if (el) el.innerHTML = msg.html;
    } else if (msg.type === 'append' && typeof msg.text === 'string') {
      const el = document.getElementById(msg.target);
      if (el) {
        el.textContent += msg.text;
        el.scrollTop = el.scrollHeight;
      }
    } else if (msg.type === 'text' && typeof msg.text === 'string') {
      const el = document.getElementById(msg.target);
      if (el) el.textContent = msg.text;
    }
  });
  // `heading`: the page has its content (a result, not a "Reading…" placeholder)
  vscode.postMessage({ type: 'ready', heading: !!document.querySelector('main#content h1') });
})();
