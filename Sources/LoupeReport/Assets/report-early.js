/* Loupe report: runs first. Records any script error into the page (for readers and for the
   headless-browser test), so a broken view is visible instead of silently blank. */
(function () {
  var errors = window.__loupeErrors = [];
  function show() {
    var box = document.getElementById('loupe-script-errors');
    document.documentElement.setAttribute('data-loupe-script-errors', String(errors.length));
    if (!box || !errors.length) return;
    box.hidden = false;
    while (box.childNodes.length > 1) box.removeChild(box.lastChild);
    for (var i = 0; i < errors.length; i++) {
      var line = document.createElement('div');
      line.className = 'loupe-script-error';
      line.textContent = errors[i];
      box.appendChild(line);
    }
  }
  window.__loupeRecordError = function (text) { errors.push(String(text)); show(); };
  window.addEventListener('error', function (e) {
    var where = e.filename ? ' (' + e.filename.split('/').pop() + ':' + e.lineno + ':' + e.colno + ')' : '';
    window.__loupeRecordError((e.message || 'error') + where);
  });
  window.addEventListener('unhandledrejection', function (e) {
    window.__loupeRecordError('unhandled rejection: ' + (e.reason && e.reason.message || e.reason));
  });
  document.addEventListener('DOMContentLoaded', show);
  try {
    var saved = localStorage.getItem('loupe-theme');
    if (saved === 'light' || saved === 'dark') document.documentElement.setAttribute('data-theme', saved);
  } catch (e) { /* file:// storage may be unavailable */ }
})();
