/* The browser half of layers/render/webmap.py: draws the data it is given (JSON), never HTML built from data.
 *
 * One canvas renderer for every data layer, so Leaflet's canvas hit test sees them all and the topmost
 * feature under the cursor (last drawn, layers in DRAW_ORDER) answers clicks and hovers. Data text
 * reaches the page only through textContent or onemapEsc. The state the user changes in the map (layers
 * shown, hazard classes ticked, the feature picked) is reported to Streamlit through streamlit-folium's
 * `selected_tags` (["onemap", JSON]); each change carries a fresh token so the server applies it once.
 */
(function () {
  if (window.onemapInit) return;
  var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
  window.onemapEsc = function (s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  };
  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function token() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }

  window.onemapInit = function (map, d) {
    var R = window.onemapRT = {map: map, order: d.order, tileErrors: 0, hl: null, hitEvent: null,
                               editMode: null, editPin: null, editNote: null,
                               state: {vis: {}, vt: null, cls: {}, ct: null, pick: null, edit: null}};
    window.onemap = window.onemap || {};
    window.onemapLayers = window.onemapLayers || {};
    window.onemapCanvas = L.canvas({padding: 0.5, tolerance: 2});
    // Leaflet focuses the map on mousedown; a plain focus() scrolls a half-visible map into view between
    // mousedown and mouseup, so the click would land ~90 px off. Keep keyboard focus, without the scroll.
    var box = map.getContainer();
    box.focus = function () { HTMLElement.prototype.focus.call(box, {preventScroll: true}); };

    R.register = function (id, fg) {
      var reg = window.onemapLayers[id] = window.onemapLayers[id] || [];
      if (reg.indexOf(fg) < 0) reg.push(fg);
    };
    R.shown = function (id) {
      return (window.onemapLayers[id] || []).some(function (fg) { return map.hasLayer(fg); });
    };
    function bring(l) {
      if (l instanceof L.Path) { if (l._map) l.bringToFront(); } else if (l.eachLayer) { l.eachLayer(bring); }
    }
    // the canvas hit test picks the last drawn feature: keep layers in draw order after any re-add
    R.restack = function () {
      R.order.forEach(function (id) {
        (window.onemapLayers[id] || []).forEach(function (fg) { if (map.hasLayer(fg)) fg.eachLayer(bring); });
      });
      if (R.hl) R.hl.eachLayer(bring);
    };
    R.report = function () {
      var g = window.__GLOBAL_DATA__;
      if (!g) return;  // a standalone HTML export has no server to tell
      g.selected_tags = ['onemap', JSON.stringify({vis: R.state.vis, vt: R.state.vt, cls: R.state.cls, ct: R.state.ct,
                                                   pick: R.state.pick, edit: R.state.edit})];
      map.fire('overlayadd', {layer: {}});  // streamlit-folium sends its (debounced) value on this event
    };
    R.setVisible = function (want) {  // want: Set of layer ids
      Object.keys(window.onemapLayers).forEach(function (id) {
        window.onemapLayers[id].forEach(function (fg) { if (want.has(id)) { map.addLayer(fg); } else { map.removeLayer(fg); } });
        R.state.vis[id] = want.has(id);
      });
      document.querySelectorAll('.onemap-panel input[data-layer]').forEach(function (b) { b.checked = want.has(b.dataset.layer); });
      document.querySelectorAll('.onemap-legend [data-layer]').forEach(function (b) {
        b.style.display = want.has(b.dataset.layer) ? '' : 'none';
      });
      if (R.hl && R.hlLayer && !want.has(R.hlLayer)) R.highlight(null);
      R.restack();
    };
    R.visibleSet = function () {
      var out = new Set();
      Object.keys(window.onemapLayers).forEach(function (id) { if (R.shown(id)) out.add(id); });
      return out;
    };
    R.refilter = function (key) {
      var P = window.onemap[key];
      if (!P) return;
      var keep = P.items.filter(function (m, i) {
        return (!P.allow || P.allow.has(i)) && (!P.classes || P.classes.has(P.labels[m._row[2]]));
      });
      P.group.clearLayers();
      if (P.group.addLayers) { P.group.addLayers(keep); } else { keep.forEach(function (m) { P.group.addLayer(m); }); }
      P.count = keep.length;
      R.restack();
    };
    window.onemapRefilter = R.refilter;

    R.highlight = function (target, layer) {  // target: a drawn feature, or [lat, lng], or null
      if (R.hl) { map.removeLayer(R.hl); R.hl = null; R.hlLayer = null; }
      if (!target) return;
      var style = {renderer: window.onemapCanvas, interactive: false, color: '#ff00aa', weight: 4, opacity: 1, fill: false};
      if (Array.isArray(target)) {
        R.hl = L.featureGroup([L.circleMarker(target, L.extend({radius: 13}, style))]);
      } else if (target.getLatLng) {
        R.hl = L.featureGroup([L.circleMarker(target.getLatLng(), L.extend({radius: (target.getRadius() || 5) + 6}, style))]);
      } else {
        R.hl = L.geoJSON(target.toGeoJSON(), {style: function () { return style; }, renderer: window.onemapCanvas, interactive: false});
      }
      R.hl.eachLayer(function (l) { l.options.interactive = false; });
      R.hlLayer = layer || null;
      R.hl.addTo(map);
      R.hl.eachLayer(bring);
    };
    R.find = function (layer, fid) {
      var found = null;
      [layer, layer + ':shapes'].forEach(function (key) {
        var P = window.onemap[key];
        if (!P || found) return;
        P.items.some(function (m) { if (m.feature && m.feature.properties.fid === fid) { found = m; return true; } return false; });
      });
      return found;
    };
    // s: {layer, fid, lat, lng} chosen on the server (a search or a resolved click), or null
    R.select = function (s) {
      if (!s) { R.highlight(null); return; }
      var m = s.fid ? R.find(s.layer, s.fid) : null;
      R.highlight(m && (m._map || !m.getLatLng) ? m : [s.lat, s.lng], s.layer);
    };
    R.pick = function (layer, m, e) {
      var p = (m && m.feature && m.feature.properties) || {};
      R.hitEvent = e.originalEvent;
      if (R.editMode) { R.editAt(e.latlng); return; }  // editing: a click on a feature is a position too
      R.state.pick = [layer, String(p.fid || ''), e.latlng.lat, e.latlng.lng, token()];
      R.highlight(m, layer);
      R.report();
    };
    map.on('click', function (e) {
      if (e.originalEvent && e.originalEvent === R.hitEvent) return;  // the same click already picked a feature
      if (R.editMode) { R.editAt(e.latlng); return; }
      R.state.pick = ['', '', e.latlng.lat, e.latlng.lng, token()];
      R.highlight(null);
      R.report();
    });
    // editing (the details panel's 编辑): in a mode ("move" / "add") the next click is the position, shown
    // as a pin that can be dragged; both report [lat, lng, token] as `edit`. The server answers with the
    // position it read (onemapVisibility's `e`), which places the pin.
    R.placePin = function (at) {
      if (!at) { if (R.editPin) { map.removeLayer(R.editPin); R.editPin = null; } return; }
      if (!R.editPin) {
        R.editPin = L.marker(at, {draggable: true, keyboard: false, zIndexOffset: 1000, bubblingMouseEvents: false,
          icon: L.divIcon({className: 'onemap-edit-pin', html: el('div', 'pin'), iconSize: [26, 26], iconAnchor: [13, 13]})});
        R.editPin.on('dragend', function () { R.editAt(R.editPin.getLatLng()); });
        R.editPin.addTo(map);
      } else {
        R.editPin.setLatLng(at);
      }
    };
    R.editAt = function (ll) {
      R.state.edit = [ll.lat, ll.lng, token()];
      R.placePin([ll.lat, ll.lng]);
      R.report();
    };
    R.setEdit = function (e) {  // e: {mode, at: [lat, lng] | null, text} or null
      R.editMode = (e && e.mode) || null;
      map.getContainer().classList.toggle('onemap-editing', !!R.editMode);
      R.placePin(e && e.at);
      if (R.editMode && !R.editNote) {
        var c = L.control({position: 'topleft'});
        c.onAdd = function () { var div = L.DomUtil.create('div', 'onemap-editnote'); L.DomEvent.disableClickPropagation(div); return div; };
        c.addTo(map);
        R.editNote = c;
      } else if (!R.editMode && R.editNote) {
        map.removeControl(R.editNote);
        R.editNote = null;
      }
      if (R.editNote) R.editNote.getContainer().textContent = e.text || '';
    };
    // fit [[s, w], [n, e]] into the part of the map the panel and legend leave free (both sit on the right)
    R.fit = function (b) {
      var right = 10, width = map.getSize().x;
      ['.onemap-panel', '.onemap-legend'].forEach(function (sel) {
        var e = map.getContainer().querySelector(sel);
        if (e) right = Math.max(right, e.offsetWidth + 20);
      });
      // before leaflet.css has loaded a control is as wide as the map: never give the controls more than 40 %
      right = Math.min(right, Math.round(0.4 * width));
      map.fitBounds(b, {paddingTopLeft: [50, 10], paddingBottomRight: [right, 30], animate: false});
    };
    // features changed since the map was compiled (layers/render/patch.py): each listed id is removed, then
    // drawn as it is now if the patch carries it; cumulative and applied once per key, so a rerun costs nothing
    R.patch = function (p) {
      if (!p || R.patched === p.k) return;
      p.l.forEach(function (c) {
        var gone = new Set(c.rm), P = window.onemap[c.layer], S = window.onemap[c.layer + ':shapes'];
        if (P) {  // one marker at a time: re-adding a clustered layer of 20,000 points would take seconds
          var at = new Set(c.at || []);
          P.items = P.items.filter(function (m) {
            var out = gone.has(m.feature.properties.fid) || (m._i !== undefined && at.has(m._i));
            if (out) P.group.removeLayer(m);
            return !out;
          });
          if (c.pts) {
            var base = P.labels.length, pts = c.pts;
            P.labels = P.labels.concat(pts.l);
            pts.f.forEach(function (r) {  // tooltip indexes point into this patch's table: resolve them to text
              var row = [r[0], r[1], r[2] + base, r[3], (r[4] || []).map(function (x) { return typeof x === 'number' ? pts.t[x] : x; })];
              var m = marker(row, pts.s[r[2]], c.layer);
              P.items.push(m);
              if (!P.classes || P.classes.has(P.labels[row[2]])) P.group.addLayer(m);
            });
          }
          P.count = P.items.length;
        }
        if (S) {
          S.group.eachLayer(function (l) { if (gone.has(l.feature.properties.fid)) S.group.removeLayer(l); });
          if (c.shp) S.group.addData(c.shp.g);
          S.items = S.group.getLayers();
          S.count = S.items.length;
        }
        document.querySelectorAll('.onemap-panel [data-count="' + c.layer + '"]').forEach(function (n) { n.textContent = String(c.n); });
      });
      R.patched = p.k;
      R.restack();
    };
    // a tooltip: the texts the server chose from the layer's spec (LayerSpec.tooltip), joined, as escaped text
    R.tip = function (parts) {
      return parts.filter(function (s) { return s !== undefined && s !== null && s !== ''; }).map(window.onemapEsc).join(' · ');
    };
  };

  window.onemapShapes = function (map, d) {
    var R = window.onemapRT;
    var layer = L.geoJSON(d.g, {renderer: window.onemapCanvas, interactive: d.interactive !== false,
      style: function (f) {
        var p = f.properties, q = p._q === 1;
        return {color: p._c, weight: p._w, fillColor: p._c, fillOpacity: p._fo * (q ? 0.4 : 1), opacity: 0.95,
                dashArray: q ? '6 4' : null};
      },
      onEachFeature: function (f, l) { l.bindTooltip(R.tip(f.properties._t || [f.properties.name]), {sticky: true}); }
    });
    layer.on('click', function (e) { R.pick(d.layer, e.layer || e.sourceTarget, e); });
    layer.addTo(map);
    window.onemap[d.layer + ':shapes'] = {count: d.g.features.length, group: layer, items: layer.getLayers(),
                                          allow: null, allowKey: '', classes: null, labels: []};
    R.register(d.layer, map);
  };

  function marker(r, st, layer) {  // r = [x, y, style, fid?, tooltip?] as points_data sends it
    var m = L.circleMarker([r[1] / 1e5, r[0] / 1e5], {renderer: window.onemapCanvas, radius: st[1], color: st[0], weight: 1.6,
      fillColor: st[0], fillOpacity: st[2] ? 0.15 : 0.85, dashArray: st[2] ? '2 2' : null});
    m.feature = {properties: {fid: r[3] || '', layer: layer}};
    m._row = r;
    return m;
  }

  window.onemapPoints = function (map, d) {
    var R = window.onemapRT;
    var layers = new Array(d.f.length);
    for (var i = 0; i < d.f.length; i++) {
      layers[i] = marker(d.f[i], d.s[d.f[i][2]], d.layer);
      layers[i]._i = i;  // the position it was drawn at: how a patch finds a point of a dense layer (drawn without ids)
    }
    var group = d.cluster && L.markerClusterGroup ?
      L.markerClusterGroup({chunkedLoading: true, disableClusteringAtZoom: d.cluster, spiderfyOnMaxZoom: false}) : L.featureGroup();
    if (group.addLayers) { group.addLayers(layers); } else { layers.forEach(function (m) { group.addLayer(m); }); }
    // tooltips are bound on first hover, not for every point up front; a dense layer's points carry no
    // texts (r = [x, y, style]): their tooltip is the legend class
    group.on('mouseover', function (e) {
      var m = e.layer;
      if (m && m._row && !m.getTooltip()) {
        var parts = m._row[4] ? m._row[4].map(function (p) { return typeof p === 'number' ? d.t[p] : p; }) : [d.l[m._row[2]]];
        m.bindTooltip(R.tip(parts)).openTooltip();
      }
    });
    group.on('click', function (e) { if (e.layer && e.layer._row) R.pick(d.layer, e.layer, e); });
    group.addTo(map);
    window.onemap[d.layer] = {count: layers.length, group: group, items: layers, labels: d.l, allow: null, allowKey: '', classes: null};
    R.register(d.layer, map);
  };

  window.onemapLabels = function (map, d) {  // d: {layer, f: [[x, y, name]]}; names are text nodes, never markup
    d.f.forEach(function (r) {
      var div = el('div', 'twn-label', r[2]);
      L.marker([r[1] / 1e5, r[0] / 1e5], {interactive: false, keyboard: false, icon: L.divIcon({className: 'twn-label-icon',
        html: div, iconSize: [80, 16], iconAnchor: [40, 8]})}).addTo(map);
    });
    window.onemapRT.register(d.layer, map);
  };

  function collapsible(div, title, collapsed) {
    var head = el('button', 'onemap-head', null, div);
    head.type = 'button';
    var body = el('div', 'onemap-body', null, div);
    function set(c) {
      div.classList.toggle('collapsed', c);
      head.textContent = (c ? '▸ ' : '▾ ') + title;
      head.setAttribute('aria-expanded', String(!c));
    }
    head.addEventListener('click', function () { set(!div.classList.contains('collapsed')); });
    set(collapsed);
    return body;
  }

  window.onemapPanel = function (map, d) {  // d: {title, narrow, groups: [{label, layers: [{id, label, count, show, classes}]}]}
    var R = window.onemapRT;
    var panel = L.control({position: 'topright'});
    panel.onAdd = function () {
      var div = L.DomUtil.create('div', 'onemap-panel');
      var body = collapsible(div, d.title, map.getSize().x < d.narrow);
      d.groups.forEach(function (g) {
        el('div', 'grp', g.label, body);
        g.layers.forEach(function (l) {
          var lab = el('label', l.count ? null : 'empty', null, body);
          var box = el('input', null, null, lab);
          box.type = 'checkbox';
          box.dataset.layer = l.id;
          box.checked = !!l.show && l.count > 0;
          box.disabled = !l.count;
          lab.appendChild(document.createTextNode(' ' + l.label + ' ('));
          el('span', 'n', l.count ? l.count : d.empty, lab).dataset.count = l.id;
          lab.appendChild(document.createTextNode(')'));
          R.state.vis[l.id] = box.checked;
          (l.classes || []).forEach(function (c) {
            var cl = el('label', 'cls', null, body);
            var cb = el('input', null, null, cl);
            cb.type = 'checkbox';
            cb.checked = true;
            cb.dataset.classLayer = l.id;
            cb.dataset.class = c;
            cl.appendChild(document.createTextNode(' ' + c));
          });
        });
      });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      div.querySelectorAll('input[data-class]').forEach(function (box) {
        box.addEventListener('change', function () {  // class filter of a point layer, on the client, reported back
          var layer = box.dataset.classLayer, on = [];
          div.querySelectorAll('input[data-class-layer="' + layer + '"]').forEach(function (b) { if (b.checked) on.push(b.dataset.class); });
          window.onemap[layer].classes = new Set(on);
          R.refilter(layer);
          R.state.cls[layer] = on;
          R.state.ct = token();
          R.report();
        });
      });
      div.querySelectorAll('input[data-layer]').forEach(function (box) {
        box.addEventListener('change', function () {  // shown at once, then reported so the server follows
          var want = R.visibleSet();
          if (box.checked) { want.add(box.dataset.layer); } else { want.delete(box.dataset.layer); }
          R.setVisible(want);
          R.state.vt = token();
          R.report();
        });
      });
      return div;
    };
    panel.addTo(map);
  };

  window.onemapLegend = function (map, d) {  // d: {title, narrow, blocks: [{layer, title, rows: [[colour, label]]}], notes: [[cls, text]]}
    var legend = L.control({position: 'bottomright'});
    legend.onAdd = function () {
      var div = L.DomUtil.create('div', 'onemap-legend');
      var body = collapsible(div, d.title, map.getSize().x < d.narrow);
      d.blocks.forEach(function (b) {
        var block = el('div', 'blk', null, body);
        block.dataset.layer = b.layer;
        el('h4', null, b.title, block);
        b.rows.forEach(function (r) {
          var row = el('div', null, null, block);
          var sw = el('i', null, null, row);
          sw.style.background = r[0];
          row.appendChild(document.createTextNode(r[1]));
        });
      });
      d.notes.forEach(function (n) {
        var row = el('div', 'note ' + n[0], null, body);
        if (n[0] === 'approx') el('i', 'approx', null, row);
        row.appendChild(document.createTextNode(n[1]));
      });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(map);
    function labels() { map.getContainer().classList.toggle('hide-labels', map.getZoom() < d.minZoom); }
    map.on('zoomend', labels);
    labels();
  };

  // after every layer and control: legend follows what is shown, tile failures are said, bounds fit the free area
  window.onemapFinish = function (map, d) {
    var R = window.onemapRT;
    R.setVisible(R.visibleSet());
    if (map.attributionControl) map.attributionControl.setPrefix('Leaflet');
    var msg = null;
    map.eachLayer(function (l) {
      if (!(l instanceof L.TileLayer)) return;
      l.on('tileerror', function () {
        R.tileErrors += 1;
        if (!msg) {
          var c = L.control({position: 'topleft'});
          c.onAdd = function () { msg = L.DomUtil.create('div', 'onemap-tilemsg'); return msg; };
          c.addTo(map);
        }
        msg.textContent = d.tileText.replace('{n}', String(R.tileErrors));
      });
    });
    if (!d.fit) return;
    R.fit(d.fit);
    // leaflet.css may still be loading (controls not yet placed): fit again once it applies, unless the view moved
    var first = [map.getCenter(), map.getZoom()], tries = 0;
    (function again() {
      var corner = map.getContainer().querySelector('.leaflet-top');
      var box = map.getContainer().querySelector('.onemap-legend');
      if (corner && getComputedStyle(corner).position === 'absolute' && (!box || getComputedStyle(box).maxWidth !== 'none')) {
        if (map.getCenter().equals(first[0]) && map.getZoom() === first[1]) R.fit(d.fit);
      } else if (tries++ < 50) {
        setTimeout(again, 100);
      }
    })();
  };
  // the sidebar's state, run in the live map by streamlit-folium (feature_group_to_add)
  window.onemapVisibility = function (d) {  // d: {v: [ids], a: {part: [positions] | null}, c: {layer: [labels] | null}, s: selection,
    //                                           e: editing {mode, at, text} | null}
    var R = window.onemapRT;
    if (!R || !window.map) return;
    R.setVisible(new Set(d.v));
    Object.keys(d.c || {}).forEach(function (layer) {
      var P = window.onemap[layer], want = d.c[layer], key = want ? want.join('\u0001') : '';
      document.querySelectorAll('.onemap-panel input[data-class-layer="' + layer + '"]').forEach(function (b) {
        b.checked = !want || want.indexOf(b.dataset.class) >= 0;
      });
      R.state.cls[layer] = want;
      if (!P || (P.classKey || '') === key) return;
      P.classKey = key;
      P.classes = want ? new Set(want) : null;
      R.refilter(layer);
    });
    Object.keys(d.a).forEach(function (key) {  // redraw a part only when its filter changed
      var P = window.onemap[key], allowKey = d.a[key] ? d.a[key].join(',') : '';
      if (!P || P.allowKey === allowKey) return;
      P.allow = d.a[key] ? new Set(d.a[key]) : null;
      P.allowKey = allowKey;
      R.refilter(key);
    });
    R.patch(d.p);  // after the filters: a patched layer has none (the server compiles afresh otherwise)
    R.select(d.s);
    R.setEdit(d.e || null);
  };
})();
