/* Accessibility fixes for markup that CKAN core's JavaScript widgets generate at run time.
 *
 * Select2 (core's "autocomplete" module: tags, formats, and the suite's service and council
 * pickers) hides the labelled <input>/<select> and shows a span[role=combobox] with no accessible
 * name (WCAG 4.1.2 Name, Role, Value). Each widget is named here by the <label> of the element it
 * replaces, as soon as it appears (widgets are created after page load and when fields repeat).
 */
(function () {
  "use strict";

  var counter = 0;

  function labelFor(original) {
    if (!original) { return null; }
    var label = original.id ?
      document.querySelector('label[for="' + CSS.escape(original.id) + '"]') : null;
    // a widget that replaces a hidden field (the suite's vocabulary pickers) sits in the field's
    // form group, whose label points at the hidden field
    if (!label && original.closest(".form-group")) {
      label = original.closest(".form-group").querySelector("label");
    }
    if (!label) { return null; }
    if (!label.id) { label.id = "ps-a11y-label-" + (++counter); }
    return label;
  }

  function nameWidget(container) {
    // the open dropdown is a .select2-container too, appended to <body>: it has its own listbox
    if (container.parentElement === document.body) { return; }
    var original = container.previousElementSibling;
    var label = labelFor(original);
    if (!label) { return; }
    // select2 4 (CKAN 2.12): the combobox and its search field; 3.5 (CKAN 2.11): the search input
    container.querySelectorAll(
      ".select2-selection[role=combobox], .select2-search__field, .select2-input"
    ).forEach(function (el) {
      el.setAttribute("aria-labelledby", label.id);
      el.removeAttribute("aria-label");
    });
    // select2 4's cross is a one-character text checkers cannot judge: drawn by CSS instead
    container.querySelectorAll(".select2-selection__choice__remove > span[aria-hidden]")
      .forEach(function (glyph) {
        if (glyph.textContent) { glyph.textContent = ""; glyph.classList.add("ps-remove-glyph"); }
      });
    // select2 3.5's "remove this choice" links are empty (WCAG 2.4.4, 4.1.2)
    container.querySelectorAll(".select2-search-choice").forEach(function (choice) {
      var close = choice.querySelector(".select2-search-choice-close");
      if (close && !close.getAttribute("aria-label")) {
        close.setAttribute("aria-label", "Remove " + choice.textContent.trim());
      }
    });
  }

  function scan(root) {
    if (root.nodeType !== 1) { return; }
    // select2 re-renders parts of a widget (the inline search field) on every change
    var around = root.closest(".select2-container");
    if (around) { nameWidget(around); }
    root.querySelectorAll(".select2-container").forEach(nameWidget);
  }

  // The GOV.UK error summary: focused when the page loads, so a screen reader reads it first;
  // its links move the focus to the field (to the visible widget when a script replaced it).
  function errorSummary() {
    var summary = document.querySelector("[data-publicservices-error-summary]");
    if (!summary) { return; }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var id = decodeURIComponent(link.getAttribute("href").slice(1));
      var target = document.getElementById(id) ||
        document.querySelector('[name="' + CSS.escape(id.replace(/^field-/, "")) + '"]');
      if (!target) { return; }
      event.preventDefault();
      if (window.publicservicesShowStepOf) { window.publicservicesShowStepOf(target); }
      var group = target.closest(".form-group, .control-group") || target.parentElement;
      var focusable = target;
      if (target.type === "hidden" || target.offsetParent === null) {
        focusable = group && group.querySelector(
          ".select2-search__field, .select2-selection, .select2-input, " +
          "input:not([type=hidden]), select, textarea");
      }
      var label = group && group.querySelector("label, legend");
      (label || group || target).scrollIntoView({block: "start"});
      if (focusable) { focusable.focus({preventScroll: true}); }
    });
    // after the form's own scripts have run, and again after the browser has gone to an
    // address's #fragment (which takes the focus back to the page) unless the user moved it
    window.setTimeout(function () { summary.focus(); }, 0);
    window.addEventListener("load", function () {
      window.setTimeout(function () {
        if (!document.activeElement || document.activeElement === document.body) {
          summary.focus();
        }
      }, 0);
    });
  }

  function start() {
    // the server checks every field and says what to fix beside it; the browser's own bubbles
    // (type=url, type=email) would stop the form before that, in words the page cannot style
    document.querySelectorAll("form#dataset-edit, form#resource-edit").forEach(function (form) {
      form.noValidate = true;
    });
    errorSummary();
    scan(document.body);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) { m.addedNodes.forEach(scan); });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
