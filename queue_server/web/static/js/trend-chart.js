// The daily trend on the report page: arrivals and served per day, and the average wait,
// drawn with the vendored uPlot (loaded before this module as a classic script).
const data = JSON.parse(document.getElementById("trend-data").textContent);
const box = document.getElementById("trend");

if (box && window.uPlot && data.days.length > 0) {
  const T = data.text;
  const options = {
    width: Math.max(320, Math.min(1200, box.clientWidth)),
    height: 280,
    scales: {
      // a day either side of the period, so one day still reads as a day
      x: { time: true, auto: false, range: () => [data.days[0] - 86400, data.days.at(-1) + 86400] },
      count: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
      minutes: { range: (_u, _min, max) => [0, Math.max(10, max) * 1.1] },
    },
    series: [
      {},
      { label: T.arrived, stroke: "#0b3d91", width: 2, scale: "count" },
      { label: T.served, stroke: "#0a6b2e", width: 2, scale: "count" },
      { label: T.wait, stroke: "#8a1c00", width: 2, dash: [6, 4], scale: "minutes" },
    ],
    axes: [{}, { scale: "count" }, { scale: "minutes", side: 1, grid: { show: false } }],
  };
  new window.uPlot(options, [data.days, data.arrived, data.served, data.wait], box);
}
