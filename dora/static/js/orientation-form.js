/* The referral form in steps (progressive enhancement: without this script every step is
   shown and the server validates the whole form). With it: one step at a time, « Suivant » /
   « Précédent », the eligibility of the commune checked as soon as it is known, attachments
   checked before sending, and one submission only. */
(function () {
  "use strict";

  var form = document.getElementById("orientation-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");
  var steps = Array.prototype.slice.call(form.querySelectorAll(".orientation-step"));
  var progress = document.getElementById("orientation-progress");
  var current = 0;

  function legendOf(step) {
    var legend = step.querySelector("legend");
    return legend ? legend.textContent.replace(/^\d+\.\s*/, "") : "";
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(steps.length - 1, index));
    steps.forEach(function (step, i) { step.hidden = i !== current; });
    if (progress) {
      progress.textContent = "Étape " + (current + 1) + " sur " + steps.length + " : " + legendOf(steps[current]);
    }
    if (focus) {
      var first = steps[current].querySelector("input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
    }
  }

  function button(label, secondary, handler) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = secondary ? "button button--secondary" : "button";
    b.textContent = label;
    b.addEventListener("click", handler);
    return b;
  }

  // Light checks before going on; the server still validates everything.
  function missing(step) {
    var problems = [];
    step.querySelectorAll("[required]").forEach(function (field) {
      if (!field.value.trim()) {
        var label = form.querySelector("label[for='" + field.id + "']");
        problems.push(label ? label.textContent.replace(/\s*\(obligatoire\)\s*/, "") : field.name);
      }
    });
    return problems;
  }

  function stepMessage(step, text) {
    var box = step.querySelector(".orientation-step-message");
    if (!box && !text) { return; }
    if (!box) {
      box = document.createElement("p");
      box.className = "notice notice--error orientation-step-message";
      box.setAttribute("role", "alert");
      step.insertBefore(box, step.querySelector("legend").nextSibling);
    }
    box.textContent = text;
    box.hidden = !text;
  }

  steps.forEach(function (step, i) {
    var nav = document.createElement("div");
    nav.className = "orientation-step-nav";
    if (i > 0) {
      nav.appendChild(button("Précédent", true, function () { show(i - 1, true); }));
    }
    if (i < steps.length - 1) {
      nav.appendChild(button("Suivant", false, function () {
        var problems = missing(step);
        if (problems.length) {
          stepMessage(step, "À compléter : " + problems.join(", ") + ".");
          return;
        }
        stepMessage(step, "");
        show(i + 1, true);
      }));
      step.appendChild(nav);
    } else {
      var actions = step.querySelector(".form-actions");
      if (actions) { actions.insertBefore(nav, actions.firstChild); } else { step.appendChild(nav); }
    }
  });

  // After a refused submission, open the first step with an error.
  var firstError = form.querySelector(".form-row--error, [aria-invalid=true]");
  var start = 0;
  if (firstError) {
    steps.forEach(function (step, i) { if (step.contains(firstError) && start === 0) { start = i; } });
  }
  show(start, false);
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function () {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        steps.forEach(function (step, i) { if (target && step.contains(target)) { show(i, false); } });
      });
    });
  }

  // Eligibility of the service for the person's commune, as soon as it is known.
  var eligibility = document.getElementById("eligibilite");
  var url = form.getAttribute("data-eligibility-url");
  var insee = form.querySelector("input[name=code_insee]");
  var commune = form.querySelector("input[name=commune]");
  var postal = form.querySelector("input[name=code_postal]");
  var lastAsked = "";

  function checkEligibility() {
    if (!url || !eligibility || !commune) { return; }
    var key = (insee ? insee.value : "") + "|" + commune.value.trim() + "|" + (postal ? postal.value.trim() : "");
    if (key === lastAsked || (!commune.value.trim() && !(postal && postal.value.trim()))) { return; }
    lastAsked = key;
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("code_insee", insee ? insee.value : "");
    data.append("commune", commune.value);
    data.append("code_postal", postal ? postal.value : "");
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || !answer.message) { return; }
        var p = document.createElement("p");
        p.className = "notice" + (answer.eligible === false ? " notice--warning" : answer.eligible ? " notice--success" : "");
        p.textContent = answer.message;
        eligibility.innerHTML = "";
        eligibility.appendChild(p);
      })
      .catch(function () { /* the server checks again when the form is sent */ });
  }
  if (commune) {
    commune.addEventListener("change", checkEligibility);
    commune.addEventListener("blur", function () { setTimeout(checkEligibility, 250); });
  }

  // Attachments: the same limits as the server, said before a long upload.
  var files = form.querySelector("input[type=file]");
  var MAX = 5 * 1024 * 1024;
  if (files) {
    files.addEventListener("change", function () {
      var problems = [];
      if (files.files.length > 3) { problems.push("trois fichiers au plus"); }
      Array.prototype.forEach.call(files.files, function (f) {
        if (f.size > MAX) { problems.push("« " + f.name + " » dépasse 5 Mo"); }
      });
      var step = files.closest(".orientation-step");
      stepMessage(step, problems.length ? "Pièces jointes : " + problems.join(", ") + "." : "");
      if (problems.length) { files.value = ""; }
    });
  }

  // One submission: a second click while sending does nothing (the server also refuses
  // to create the same referral twice).
  var sending = false;
  var consent = form.querySelector("input[name=consentement]");
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    // What the browser can check, before the files are sent (they would have to be chosen
    // again after a refusal by the server).
    for (var i = 0; i < steps.length; i++) {
      var problems = missing(steps[i]);
      if (steps[i].contains(consent) && consent && !consent.checked) {
        problems.push("l’accord de la personne (case à cocher)");
      }
      if (problems.length) {
        event.preventDefault();
        show(i, false);
        stepMessage(steps[i], "À compléter : " + problems.join(", ") + ".");
        return;
      }
    }
    sending = true;
    var submit = form.querySelector("button[type=submit]");
    if (submit) {
      submit.setAttribute("aria-disabled", "true");
      submit.textContent = submit.getAttribute("data-sending-label") || submit.textContent;
    }
  });
})();
