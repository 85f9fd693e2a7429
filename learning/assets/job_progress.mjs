// The workbook's progress page: read the job's status every second and move the bar, so the
// page need not reload; when the job ends, load the page once (it then shows the Download
// button, or Try again). Without JavaScript the page's meta refresh does the same.
const box = document.getElementById("job");
if (box) {
  // The page's meta refresh sits in <noscript>: with the script running, it never happens.
  const bar = document.getElementById("job-progress");
  const words = document.getElementById("job-words");
  const time = document.getElementById("job-time");
  const number = new Intl.NumberFormat("en-GB");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const state = await response.json();
      if (state.status === "done" || state.status === "failed") {
        window.location.reload();
        return;
      }
      if (bar) bar.value = state.percent;
      if (words && state.status === "running") {
        words.textContent = `${number.format(state.rows_done)} of ${number.format(state.rows_expected)} ${box.dataset.unit || "rows"} ${box.dataset.verb || "written"}`;
      }
      if (time) time.textContent = `${state.percent}% done. ${state.time_left}.`;
    } catch (error) {
      // A failed poll (the network, a restart) tries again below.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}
