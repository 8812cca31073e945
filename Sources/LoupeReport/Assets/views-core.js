/* Loupe views, shared core: mounting, colour ramps, the tooltip, attention decoding, test hooks.
   Defined once per page however many views include it. Vanilla JS, no network, no build step. */
(function () {
  if (window.LoupeViews) return;
  var registry = {};
  var themeListeners = [];
  var LV = window.LoupeViews = {};

  LV.register = function (kind, mount) { registry[kind] = mount; };

  /* Mounts every view whose script has loaded and that isn't mounted yet. */
  LV.mountAll = function () {
    var views = document.querySelectorAll('.loupe-view[data-loupe-view]');
    for (var i = 0; i < views.length; i++) {
      var el = views[i];
      if (el.hasAttribute('data-loupe-state')) continue;
      var mount = registry[el.getAttribute('data-loupe-view')];
      if (!mount) continue;
      el.setAttribute('data-loupe-state', 'mounting');
      var started = performance.now();
      try {
        var data = JSON.parse(el.querySelector('script.loupe-view-data').textContent);
        mount(el.querySelector('.loupe-view-root'), data, el);
        el.classList.add('loupe-view-live');
        el.setAttribute('data-loupe-state', 'ready');
        el.setAttribute('data-mount-ms', String(Math.round(performance.now() - started)));
      } catch (e) {
        el.setAttribute('data-loupe-state', 'error');
        el.setAttribute('data-loupe-error', String(e && e.message || e));
        if (window.__loupeRecordError) window.__loupeRecordError('view ' + el.id + ': ' + (e && e.stack || e));
      }
    }
    var ready = document.querySelectorAll('.loupe-view[data-loupe-state="ready"]').length;
    document.documentElement.setAttribute('data-loupe-views-ready', String(ready));
  };

  LV.isDark = function () {
    var t = document.documentElement.getAttribute('data-theme');
    if (t === 'dark') return true;
    if (t === 'light') return false;
    return !!(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  };
  LV.onTheme = function (fn) { themeListeners.push(fn); };
  LV.themeChanged = function () { for (var i = 0; i < themeListeners.length; i++) themeListeners[i](); };
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', LV.themeChanged);
  }

  /* Colour ramps, the same stops as ColorScale.swift. */
  LV.ramps = {
    blues: [[247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
            [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107]],
    bluesDark: [[22, 27, 34], [20, 40, 70], [22, 62, 112], [30, 88, 160], [48, 118, 205],
                [84, 150, 236], [132, 184, 250], [186, 217, 255], [236, 245, 255]],
    redWhiteBlue: [[178, 24, 43], [214, 96, 77], [244, 165, 130], [253, 219, 199], [255, 255, 255],
                   [209, 229, 240], [146, 197, 222], [67, 147, 195], [33, 102, 172]],
    redBlackBlue: [[255, 123, 114], [214, 80, 76], [150, 52, 56], [84, 34, 40], [22, 27, 34],
                   [28, 52, 88], [40, 90, 160], [80, 140, 230], [150, 200, 255]]
  };
  LV.attentionRamp = function () { return LV.isDark() ? LV.ramps.bluesDark : LV.ramps.blues; };
  LV.rgb = function (ramp, t) {
    if (!(t >= 0)) t = 0; if (t > 1) t = 1;
    var x = t * (ramp.length - 1), i = Math.min(ramp.length - 2, Math.floor(x)), f = x - i;
    var a = ramp[i], b = ramp[i + 1];
    return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
  };
  LV.css = function (ramp, t) { var c = LV.rgb(ramp, t); return 'rgb(' + c[0] + ',' + c[1] + ',' + c[2] + ')'; };
  LV.textOn = function (ramp, t) {
    var c = LV.rgb(ramp, t);
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) < 140 ? '#ffffff' : '#111111';
  };
  /* 256 packed RGBA colours (little-endian Uint32) for fast canvas fills. */
  LV.lut = function (ramp) {
    var lut = new Uint32Array(256);
    for (var i = 0; i < 256; i++) { var c = LV.rgb(ramp, i / 255); lut[i] = (255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]; }
    return lut;
  };

  /* Attention from AttentionData.swift: {heads, n, lo, hi, bits, data: base64 of quantized LE ints}. */
  LV.decodeAttention = function (d) {
    var bin = atob(d.data), count = d.heads * d.n * d.n;
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var out = new Float32Array(count), span = d.hi - d.lo;
    if (d.bits === 16) {
      var levels = 65535;
      for (var j = 0; j < count; j++) out[j] = d.lo + (bytes[2 * j] | (bytes[2 * j + 1] << 8)) / levels * span;
    } else {
      for (var k = 0; k < count; k++) out[k] = d.lo + bytes[k] / 255 * span;
    }
    return out;
  };
  /* [dest, src] mean over heads. */
  LV.meanHeads = function (values, heads, n) {
    var nn = n * n, mean = new Float32Array(nn);
    for (var h = 0; h < heads; h++) for (var i = 0; i < nn; i++) mean[i] += values[h * nn + i];
    for (var j = 0; j < nn; j++) mean[j] /= heads;
    return mean;
  };
  /* Colour-scale transfer functions on t in [0, 1]: attention over many tokens is mostly tiny values,
     which a linear scale shows as blank; sqrt and log lift them. */
  LV.transfers = {
    linear: function (t) { return t; },
    sqrt: function (t) { return Math.sqrt(t); },
    log: function (t) { return Math.log(1 + 999 * t) / Math.log(1000); }
  };
  LV.defaultScale = function (n) { return n > 100 ? 'sqrt' : 'linear'; };
  /* A colour-scale selector; calls onChange(name). */
  LV.scaleSelect = function (initial, onChange) {
    var wrap = LV.el('label', 'lv-scale');
    wrap.appendChild(LV.el('span', 'lv-label', 'Scale'));
    var sel = LV.el('select', 'lv-select');
    ['linear', 'sqrt', 'log'].forEach(function (name) {
      var o = LV.el('option', null, name); o.value = name; if (name === initial) o.selected = true; sel.appendChild(o);
    });
    sel.addEventListener('change', function () { onChange(sel.value); });
    wrap.appendChild(sel);
    return wrap;
  };
  /* An n×n matrix as an offscreen canvas of at most maxSize pixels a side. When it must shrink, each
     pixel is the maximum of its block, so one sharp stripe (previous-token heads) stays visible. */
  LV.heatBitmap = function (values, offset, n, lo, hi, lut, transfer, maxSize) {
    var size = Math.min(n, maxSize || n);
    var c = document.createElement('canvas');
    c.width = size; c.height = size;
    var ctx = c.getContext('2d'), img = ctx.createImageData(size, size);
    var px = new Uint32Array(img.data.buffer), span = hi > lo ? hi - lo : 1;
    var f = transfer || LV.transfers.linear;
    var level = new Uint8Array(256);
    for (var q = 0; q < 256; q++) level[q] = Math.round(Math.min(1, Math.max(0, f(q / 255))) * 255);
    function code(v) { var t = (v - lo) / span; return level[t <= 0 ? 0 : t >= 1 ? 255 : (t * 255) | 0]; }
    if (size === n) {
      for (var i = 0, m = n * n; i < m; i++) px[i] = lut[code(values[offset + i])];
    } else {
      var best = new Uint8Array(size * size);
      for (var r = 0; r < n; r++) {
        var row = ((r * size / n) | 0) * size, base = offset + r * n;
        for (var col = 0; col < n; col++) {
          var k = row + ((col * size / n) | 0), v = code(values[base + col]);
          if (v > best[k]) best[k] = v;
        }
      }
      for (var j = 0; j < best.length; j++) px[j] = lut[best[j]];
    }
    ctx.putImageData(img, 0, 0);
    return c;
  };
  /* A canvas sized for the screen's pixel density. */
  LV.canvas = function (cssW, cssH, cls) {
    var c = document.createElement('canvas'), r = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(cssW * r)); c.height = Math.max(1, Math.round(cssH * r));
    c.style.width = cssW + 'px'; c.style.height = cssH + 'px';
    if (cls) c.className = cls;
    c.getContext('2d').setTransform(r, 0, 0, r, 0, 0);
    return c;
  };

  /* Token text as shown: whitespace made visible, nothing interpreted as markup (textContent only). */
  LV.tokenText = function (t) {
    return String(t).replace(/\n/g, '\u21b5').replace(/\t/g, '\u21e5').replace(/\r/g, '\u240d');
  };
  LV.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  LV.fmt = function (v) {
    if (v == null || !isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  };

  /* One tooltip for the page. */
  var tip = null;
  LV.showTip = function (x, y, text) {
    if (!tip) { tip = LV.el('div', 'loupe-tip'); tip.setAttribute('role', 'tooltip'); document.body.appendChild(tip); }
    tip.textContent = text;
    tip.style.display = 'block';
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8), top = y + 16;
    if (top + h > window.innerHeight - 4) top = y - h - 10;
    tip.style.left = (left + window.scrollX) + 'px';
    tip.style.top = (top + window.scrollY) + 'px';
  };
  LV.hideTip = function () { if (tip) tip.style.display = 'none'; };

  /* Test hooks for the headless-browser test: '#loupe-test-hover=3' moves a real mouse event over
     token 3 of the first attention-patterns view; '#loupe-test-head=2' clicks head 2 of the first
     attention-heads view. Results land in data attributes the test reads from the DOM. */
  LV.runTestHooks = function () {
    var hash = decodeURIComponent(location.hash || '');
    var hover = /loupe-test-hover=(\d+)/.exec(hash), head = /loupe-test-head=(\d+)/.exec(hash);
    var root = document.documentElement;
    if (hover) {
      var view = document.querySelector('.loupe-attention-patterns[data-loupe-state="ready"]');
      var before = view ? view.getAttribute('data-highlight-row') : null;
      var token = view && view.querySelector('.lv-tokens .lv-token[data-i="' + hover[1] + '"]');
      if (token) {
        var r = token.getBoundingClientRect();
        var init = { bubbles: true, cancelable: true, view: window, clientX: r.left + 2, clientY: r.top + 2 };
        var t0 = performance.now();
        token.dispatchEvent(new MouseEvent('mouseover', init));
        token.dispatchEvent(new MouseEvent('mousemove', init));
        view.setAttribute('data-hover-ms', String(Math.round(performance.now() - t0)));
      }
      root.setAttribute('data-loupe-test-hover', token ? 'before=' + before + ';after=' + view.getAttribute('data-highlight-row') : 'no-token');
    }
    if (head) {
      var heads = document.querySelector('.loupe-attention-heads[data-loupe-state="ready"]');
      var tile = heads && heads.querySelector('.lv-head-tile[data-head="' + head[1] + '"]');
      if (tile) tile.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window }));
      root.setAttribute('data-loupe-test-head', tile ? 'selected=' + heads.getAttribute('data-selected-head') : 'no-tile');
    }
  };
})();
