/* topk_tokens: rows (layers) × positions; each cell lists the top-k tokens with their values, as many
   as the selector says; cells whose best token is the position's target are marked gold. */
(function () {
  var LV = window.LoupeViews;
  if (!LV || LV.hasTopkTokens) return;
  LV.hasTopkTokens = true;

  LV.register('topk-tokens', function (root, d, host) {
    var shown = Math.min(d.k, 3);
    var toolbar = LV.el('div', 'lv-toolbar');
    toolbar.appendChild(LV.el('span', 'lv-label', 'Show top'));
    var select = LV.el('select', 'lv-select');
    for (var k = 1; k <= d.k; k++) {
      var o = LV.el('option', null, String(k)); o.value = String(k);
      if (k === shown) o.selected = true;
      select.appendChild(o);
    }
    toolbar.appendChild(select);
    if (d.targets) toolbar.appendChild(LV.el('span', 'lv-hint', 'gold: best token equals the position’s target'));
    root.appendChild(toolbar);
    var scroll = LV.el('div', 'lv-topk-scroll');
    root.appendChild(scroll);

    function render() {
      var ramp = LV.attentionRamp();
      var table = LV.el('table', 'lv-topk');
      var head = LV.el('tr');
      head.appendChild(LV.el('th', 'lv-corner', d.rowName + ' \\ position'));
      for (var p = 0; p < d.tokens.length; p++) {
        var th = LV.el('th', null, LV.tokenText(d.tokens[p]));
        th.title = 'position ' + p + (d.targets ? ' · target “' + LV.tokenText(d.targets[p]) + '”' : '');
        head.appendChild(th);
      }
      var thead = LV.el('thead'); thead.appendChild(head); table.appendChild(thead);
      var tbody = LV.el('tbody');
      for (var r = 0; r < d.rowLabels.length; r++) {
        var tr = LV.el('tr');
        tr.appendChild(LV.el('th', 'lv-rowlabel', d.rowLabels[r]));
        for (var q = 0; q < d.tokens.length; q++) {
          var td = LV.el('td');
          var toks = d.topTokens[r][q], vals = d.topValues[r][q];
          if (d.targets && toks.length && toks[0] === d.targets[q]) td.className = 'lv-hit';
          for (var j = 0; j < Math.min(shown, toks.length); j++) {
            var entry = LV.el('div', 'lv-topk-entry');
            var v = vals[j];
            entry.style.background = LV.css(ramp, v);
            entry.style.color = LV.textOn(ramp, v);
            entry.appendChild(LV.el('span', 'lv-topk-token', LV.tokenText(toks[j])));
            entry.appendChild(LV.el('span', 'lv-topk-value', LV.fmt(v)));
            entry.title = d.rowName + ' ' + d.rowLabels[r] + ', position ' + q + ': “' + LV.tokenText(toks[j]) + '” ' + d.valueName + ' ' + LV.fmt(v);
            td.appendChild(entry);
          }
          tr.appendChild(td);
        }
        tbody.appendChild(tr);
      }
      table.appendChild(tbody);
      scroll.textContent = '';
      scroll.appendChild(table);
      host.setAttribute('data-shown-k', String(shown));
    }
    select.addEventListener('change', function () { shown = Number(select.value); render(); });
    LV.onTheme(render);
    render();
  });
  LV.mountAll();
})();
