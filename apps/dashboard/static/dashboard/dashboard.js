/* Lapor Warga monitoring dashboard: draws the kelurahan map with Leaflet (shipped in
   static/dashboard/vendor). No build step, no network beyond this site's own JSON. */
(function () {
  "use strict";
  var el = document.getElementById("lw-map");
  if (!el || !window.L) { return; }
  var ready = { polygons: 0, points: [], cameras: 0, done: false };
  window.lwMap = ready;

  var map = L.map(el, { zoomSnap: 0.5, attributionControl: true, preferCanvas: false });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  map.setView([-6.2, 106.83], 11);

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(url + " " + r.status); } return r.json(); });
  }

  // Colour scales: sequential, colour-blind safe (ColorBrewer YlOrRd / RdYlGn-like blues).
  var OPEN = ["#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026"];
  var ONTIME = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"];
  var ONTIME_LIMITS = [50, 70, 85, 95];

  function openColour(n, breaks) {
    if (!n) { return "#f7f7f7"; }
    var i = 0;
    while (i < breaks.length && n >= breaks[i]) { i += 1; }
    return OPEN[i] || OPEN[4];
  }
  function ontimeColour(t) {
    if (t === null || t === undefined) { return "#cfcfcf"; }
    var i = 0;
    while (i < ONTIME_LIMITS.length && t >= ONTIME_LIMITS[i]) { i += 1; }
    return ONTIME[i];
  }

  function legend(shade, breaks) {
    var box = document.getElementById("lw-legend");
    if (!box) { return; }
    var items = [];
    if (shade === "ontime") {
      var lims = ["< 50 %", "50–70 %", "70–85 %", "85–95 %", "≥ 95 %"];
      for (var i = 0; i < 5; i += 1) { items.push([ONTIME[i], lims[i]]); }
      items.push(["#cfcfcf", el.dataset.labelFew]);
    } else {
      items.push(["#f7f7f7", "0"]);
      for (var j = 0; j < breaks.length; j += 1) {
        var top = j + 1 < breaks.length ? breaks[j + 1] - 1 : null;
        var label = top === null ? breaks[j] + "+" : top > breaks[j] ? breaks[j] + "–" + top : String(breaks[j]);
        items.push([OPEN[j + 1] || OPEN[4], label]);
      }
    }
    box.innerHTML = "";
    items.forEach(function (item) {
      var span = document.createElement("span");
      var key = document.createElement("i");
      key.style.background = item[0];
      span.appendChild(key);
      span.appendChild(document.createTextNode(" " + item[1]));
      box.appendChild(span);
    });
  }

  function drawCity() {
    var shade = el.dataset.shade || "open";
    var breaks = [1, 2, 3, 4];
    var layer = null;
    function style(feature) {
      var p = feature.properties;
      return {
        className: "lw-kel",
        weight: 0.6, color: "#555", opacity: 0.8, fillOpacity: 0.75,
        fillColor: shade === "ontime" ? ontimeColour(p.t) : openColour(p.o, breaks)
      };
    }
    getJSON(el.dataset.mapUrl).then(function (data) {
      breaks = data.breaks || breaks;
      layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, path) {
          var p = feature.properties;
          var t = p.t === null ? el.dataset.labelFew : p.t + " % " + el.dataset.labelOntime;
          path.bindTooltip(p.m + ": " + p.o + " " + el.dataset.labelOpen + "; " + t, { sticky: true });
          path.on("click", function () {
            window.location.href = el.dataset.kelurahanUrl + p.c + "/";
          });
        }
      }).addTo(map);
      ready.polygons = data.features.length;
      // The mainland first: Kepulauan Seribu (31.01) stretches the box far to the north.
      var mainland = L.latLngBounds([]);
      layer.eachLayer(function (path) {
        if (path.feature.properties.c.indexOf("31.01.") !== 0) { mainland.extend(path.getBounds()); }
      });
      map.fitBounds((mainland.isValid() ? mainland : layer.getBounds()).pad(0.02), { maxZoom: 12 });
      legend(shade, breaks);
      clusters();
      ready.done = true;
    }).catch(function (err) { ready.error = String(err); });

    var form = document.getElementById("lw-shade-form");
    if (form) {
      form.addEventListener("change", function (event) {
        shade = event.target.value;
        if (layer) { layer.setStyle(style); }
        legend(shade, breaks);
        var url = new URL(window.location.href);
        url.searchParams.set("warna", shade);
        window.history.replaceState(null, "", url);
      });
    }

    var clusterLayer = L.layerGroup().addTo(map);
    function clusters() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(4); }).join(",");
      var z = Math.round(map.getZoom());
      getJSON(el.dataset.clusterUrl + "?z=" + z + "&bbox=" + bbox).then(function (data) {
        clusterLayer.clearLayers();
        data.cells.forEach(function (cell) {
          var n = cell[2];
          var size = n >= 1000 ? 40 : n >= 100 ? 32 : n >= 10 ? 26 : 20;
          L.marker([cell[1], cell[0]], {
            keyboard: false,
            interactive: false,
            icon: L.divIcon({ className: "lw-cluster", html: "<span>" + n + "</span>", iconSize: [size, size] })
          }).addTo(clusterLayer);
        });
      }).catch(function (err) { ready.error = String(err); });
    }
    map.on("moveend", function () { if (ready.done) { clusters(); } });
  }

  function drawKelurahan() {
    getJSON(el.dataset.mapUrl).then(function (data) {
      var boundary = L.geoJSON(data.boundary, {
        style: { className: "lw-kel lw-boundary", weight: 2, color: "#1d4e89", fillColor: "#dbe9f6", fillOpacity: 0.35 }
      }).addTo(map);
      ready.polygons = 1;
      map.fitBounds(boundary.getBounds().pad(0.05));
      data.points.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], {
          className: "lw-point", radius: 5, weight: 1, color: "#3b0a45", fillColor: "#c51b8a", fillOpacity: 0.9
        }).bindTooltip(p.id).addTo(map);
        ready.points.push([p.lon, p.lat, p.id]);
      });
      data.cameras.forEach(function (c) {
        var online = c.status === "online";
        L.circleMarker([c.lat, c.lon], {
          className: "lw-camera lw-camera-" + c.status, radius: 6, weight: 2,
          color: online ? "#0b6e4f" : "#6b6b6b", fillColor: online ? "#35c28f" : "#bdbdbd", fillOpacity: 1
        }).bindTooltip(c.name + " (" + c.status + ")").addTo(map);
        ready.cameras += 1;
      });
      ready.done = true;
    }).catch(function (err) { ready.error = String(err); });
  }

  if (el.dataset.kind === "city") { drawCity(); } else { drawKelurahan(); }
}());
