// The training page: while a retrain runs, poll /owner/training/status every 2 s and show the
// stage and elapsed seconds; when the job ends, reload so the page shows its report or failure.
(function () {
  "use strict";
  const job = document.getElementById("training-job");
  if (!job) return;
  const url = job.getAttribute("data-status-url");
  const stateLabels = { waiting: "", running: "进行中", done: "完成", failed: "失败" };
  let wasRunning = job.getAttribute("data-state") === "running";

  function show(status) {
    const button = document.getElementById("training-start");
    button.disabled = status.running;
    button.textContent = status.running ? "正在训练：" + status.stage : "重新训练";
    status.stages.forEach(function (stage) {
      const item = job.querySelector('[data-stage="' + stage.name + '"]');
      if (!item) return;
      item.className = "training-stage training-" + stage.state;
      const time = item.querySelector(".training-stage-time");
      const label = stateLabels[stage.state] || "";
      time.textContent = stage.seconds === null ? "" : stage.seconds + " 秒" + (label ? "（" + label + "）" : "");
    });
    const message = document.getElementById("training-message");
    message.textContent = status.message + (status.state === "idle" ? "" : "（共 " + status.elapsed_seconds + " 秒）");
    message.className = status.state === "failed" ? "error" : "help";
    const log = document.getElementById("training-log");
    log.textContent = status.log_tail || "";
    log.hidden = !(status.state === "failed" && status.log_tail);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (status) {
        show(status);
        if (wasRunning && !status.running) {
          window.location.reload();   // the report (or the failure) is rendered by the server
          return;
        }
        wasRunning = status.running;
        if (status.running) window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });   // logged out or the console restarting
  }

  if (wasRunning) window.setTimeout(poll, 2000);
})();
