/* colored_tokens: each token's background is its value on a colour scale; hover shows the number. */
(function () {
  var LV = window.LoupeViews;
  if (!LV || LV.hasColoredTokens) return;
  LV.hasColoredTokens = true;

  LV.register('colored-tokens', function (root, d, host) {
    var diverging = d.scale === 'diverging';
    var list = LV.el('div', 'lv-tokens lv-colored');
    var legend = LV.el('div', 'lv-legend');
    var readout = LV.el('div', 'lv-readout', 'Hover a token to read its value.');
    root.appendChild(list); root.appendChild(legend); root.appendChild(readout);
    var spans = [];
    for (var i = 0; i < d.tokens.length; i++) {
      var s = LV.el('span', 'lv-token', LV.tokenText(d.tokens[i]));
      s.setAttribute('data-i', String(i));
      list.appendChild(s);
      spans.push(s);
    }
    function ramp() { return diverging ? (LV.isDark() ? LV.ramps.redBlackBlue : LV.ramps.redWhiteBlue) : LV.attentionRamp(); }
    function t(v) { return v == null ? (diverging ? 0.5 : 0) : (v - d.lo) / (d.hi - d.lo); }
    function paint() {
      var r = ramp();
      for (var i = 0; i < spans.length; i++) {
        var v = d.values[i];
        spans[i].style.background = LV.css(r, t(v));
        spans[i].style.color = LV.textOn(r, t(v));
      }
      legend.textContent = '';
      var bar = LV.el('span', 'lv-legend-bar');
      bar.style.background = 'linear-gradient(to right,' + LV.css(r, 0) + ',' + LV.css(r, 0.5) + ',' + LV.css(r, 1) + ')';
      legend.appendChild(LV.el('span', null, LV.fmt(d.lo)));
      legend.appendChild(bar);
      legend.appendChild(LV.el('span', null, LV.fmt(d.hi)));
    }
    list.addEventListener('mouseover', function (e) {
      var tok = e.target.closest ? e.target.closest('.lv-token') : null;
      if (!tok) return;
      var i = Number(tok.getAttribute('data-i'));
      var text = '“' + LV.tokenText(d.tokens[i]) + '” [' + i + ']: ' + LV.fmt(d.values[i]);
      readout.textContent = text;
      host.setAttribute('data-hover', String(i));
      LV.showTip(e.clientX, e.clientY, text);
    });
    list.addEventListener('mouseleave', LV.hideTip);
    LV.onTheme(paint);
    paint();
  });
  LV.mountAll();
})();
