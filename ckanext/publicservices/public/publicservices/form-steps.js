/* The dataset form as a sequence of short pages, one topic each.
 *
 * The server renders every topic as a <section class="publicservices-step"> of one form, and a
 * step list (nav[data-publicservices-steps]) above it. Without JavaScript the sections follow
 * each other on one page. With it, one section shows at a time: "Continue" and "Back" move
 * between them (the browser's Back button too, through the address's #section-…), the step list
 * says where you are (aria-current="step"), and the save button shows on the last page (on every
 * page when editing). The form is still sent once, whole, so the portal checks the dataset as a
 * whole; a page with errors opens the section of the first error, under the error summary.
 */
(function () {
  "use strict";

  function start() {
    var nav = document.querySelector("[data-publicservices-steps]");
    var form = nav && nav.closest("form");
    if (!form) { return; }
    var steps = Array.prototype.slice.call(form.querySelectorAll(".publicservices-step"));
    if (steps.length < 2) { return; }
    var editing = !!form.querySelector("[name=save][value=go-metadata-unpublish]") ||
      /\/edit\//.test(window.location.pathname);
    var actions = form.querySelector(".form-actions");
    var required = form.querySelector(".control-required-message");
    // after a refused save the publisher has seen every page: saving is offered on each
    var hadErrors = !!document.querySelector("[data-publicservices-error-summary]");
    var current = -1;
    // the words are the page's, translated by the template (data-text-… on the step list)
    var text = {
      next: nav.getAttribute("data-text-continue"),
      back: nav.getAttribute("data-text-back"),
      step: nav.getAttribute("data-text-step")
    };
    form.classList.add("publicservices-stepped");

    steps.forEach(function (step, index) {
      var heading = step.querySelector(".publicservices-form-section");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        var count = document.createElement("span");
        count.className = "publicservices-step__count";
        count.textContent = text.step.replace("{number}", String(index + 1))
          .replace("{total}", String(steps.length));
        heading.parentNode.insertBefore(count, heading);
      }
      var buttons = document.createElement("div");
      buttons.className = "publicservices-step__buttons";
      if (index < steps.length - 1) {
        var next = document.createElement("button");
        next.type = "button";
        next.className = "btn btn-primary publicservices-step__continue";
        next.textContent = text.next;
        next.addEventListener("click", function () { go(index + 1, true); });
        buttons.appendChild(next);
      }
      if (index > 0) {
        var back = document.createElement("button");
        back.type = "button";
        back.className = "btn btn-link publicservices-step__back";
        back.textContent = text.back;
        back.addEventListener("click", function () { go(index - 1, true); });
        buttons.appendChild(back);
      }
      step.appendChild(buttons);
    });

    nav.querySelectorAll("a[href^='#section-']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var index = indexOf(link.getAttribute("href").slice(1));
        if (index < 0) { return; }
        event.preventDefault();
        go(index, true);
      });
    });

    function indexOf(id) {
      for (var i = 0; i < steps.length; i++) {
        if (steps[i].id === id) { return i; }
      }
      return -1;
    }

    function show(index) {
      current = index;
      steps.forEach(function (step, i) { step.hidden = i !== index; });
      nav.querySelectorAll(".publicservices-steps__item").forEach(function (item) {
        var mine = item.getAttribute("data-step") === steps[index].id;
        item.classList.toggle("is-current", mine);
        item.classList.toggle("is-done", indexOf(item.getAttribute("data-step")) >= 0 &&
          indexOf(item.getAttribute("data-step")) < index);
        var link = item.querySelector("a");
        if (link) {
          if (mine) { link.setAttribute("aria-current", "step"); }
          else { link.removeAttribute("aria-current"); }
        }
      });
      var last = index === steps.length - 1;
      if (actions) { actions.hidden = !(last || editing || hadErrors); }
      if (required) { required.hidden = false; }
      // select2 measures its widgets when they are drawn; hidden ones are redrawn on show
      if (window.jQuery) { window.jQuery(steps[index]).find("select").trigger("change.select2"); }
    }

    function go(index, focus) {
      if (index < 0 || index >= steps.length || index === current) { return; }
      show(index);
      if (window.history && window.history.pushState) {
        window.history.pushState({step: index}, "", "#" + steps[index].id);
      }
      if (focus) {
        var heading = steps[index].querySelector(".publicservices-form-section");
        window.scrollTo(0, form.getBoundingClientRect().top + window.pageYOffset - 16);
        if (heading) { heading.focus({preventScroll: true}); }
      }
    }

    // the error summary's links (a11y.js) open the page of the field they point at
    window.publicservicesShowStepOf = function (element) {
      var step = element && element.closest && element.closest(".publicservices-step");
      if (step) {
        var index = steps.indexOf(step);
        if (index !== current) { show(index); }
      }
    };

    // the page's #section-… is the browser's, not the server's: a form with no action is sent to
    // the page's address, #section-… and all, and the browser carries it over the redirect to the
    // file form and onto the refused form. The address is not changed in the history (that would
    // be a navigation of its own).
    form.addEventListener("submit", function () {
      var target = form.action || window.location.href;
      var hashAt = target.indexOf("#");
      if (hashAt >= 0) { form.setAttribute("action", target.slice(0, hashAt)); }
    });

    window.addEventListener("popstate", function () {
      var index = indexOf(window.location.hash.slice(1));
      show(index < 0 ? 0 : index);
    });

    var start = indexOf(window.location.hash.slice(1));
    var firstError = form.querySelector(".publicservices-step .error-block, " +
      ".publicservices-step .is-invalid, .publicservices-step .has-error, " +
      ".publicservices-step .error");
    if (firstError && document.querySelector("[data-publicservices-error-summary]")) {
      start = steps.indexOf(firstError.closest(".publicservices-step"));
    }
    show(start < 0 ? 0 : start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
