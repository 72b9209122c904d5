/* Search-as-you-type for vocabulary fields (LGSL services, LGFL functions, councils).
 *
 * Progressive enhancement: the server renders a plain text box holding codes separated by
 * commas, which the validator accepts on its own. This module hides it behind a select2
 * multi-select that queries publicservices_vocabulary_autocomplete and writes the chosen
 * values (URIs, or GSS codes for councils) back into the text box as a comma-separated list.
 */
this.ckan.module('publicservices-vocab-autocomplete', function ($) {
  return {
    options: {
      vocabulary: null,
      source: null,
      selected: []
    },

    initialize: function () {
      // CKAN 2.12 ships select2 4 (it has an AMD loader), CKAN 2.11 select2 3.5
      if ($.fn.select2 && $.fn.select2.amd) {
        this._select2v4();
      } else {
        this._select2v3();
      }
    },

    _results: function (data) {
      return ((data && data.result) || []).map(function (t) {
        return { id: t.value, text: t.text + (t.withdrawn ? ' (withdrawn)' : '') };
      });
    },

    _select2v4: function () {
      var input = this.el;
      var options = this.options;
      var results = this._results;
      var select = $('<select multiple class="form-control"></select>');
      select.attr('id', input.attr('id') + '-select');
      select.attr('aria-label', input.closest('.form-group').find('label').first().text());
      (options.selected || []).forEach(function (item) {
        select.append(new Option(item.label, item.value, true, true));
      });
      input.attr('type', 'hidden');
      input.after(select);

      select.select2({
        width: '100%',
        minimumInputLength: 1,
        placeholder: input.attr('placeholder') || '',
        ajax: {
          url: options.source,
          dataType: 'json',
          delay: 200,
          data: function (params) {
            return { id: options.vocabulary, q: params.term || '', limit: 20 };
          },
          processResults: function (data) {
            return { results: results(data) };
          }
        }
      });

      select.on('change', function () {
        input.val((select.val() || []).join(', '));
      });
      this._combobox({
        element: select,
        container: select.next('.select2-container'),
        searchClass: 'select2-search__field',
        openEvent: 'select2:open',
        closeEvent: 'select2:close',
        changeEvent: 'select2:select select2:unselect',
        isOpen: function () { return !!select.data('select2') && select.data('select2').isOpen(); },
        list: function () { return $('.select2-container--open .select2-results__options'); },
        highlighted: '.select2-results__option--highlighted',
        options: function (list) {
          return list.find('.select2-results__option--selectable, .select2-results__option[role=option]')
            .not('.loading-results');
        },
        pending: function (list) { return list.find('.loading-results').length > 0; },
        lastChosen: function () {
          var chosen = select.find('option:selected').last();
          return chosen.length ? { id: chosen.val(), text: chosen.text() } : null;
        },
        remove: function (id) {
          select.find('option:selected').filter(function () { return this.value === id; })
            .prop('selected', false);
          select.trigger('change');
        }
      });
    },

    // The WAI-ARIA combobox pattern on the picker's search box, for select2 4 and 3.5 alike
    // (``widget`` says where each keeps its parts): role, expanded state, the highlighted option
    // (aria-activedescendant) and the number of suggestions announced. A Backspace in the empty
    // box does not silently drop the last choice: the first press says which choice a second
    // press removes.
    _combobox: function (widget) {
      var container = widget.container;
      var live = $('<span class="visually-hidden" aria-live="polite" aria-atomic="true"></span>');
      container.after(live);
      var armed = null;
      function search() { return container.find('.' + widget.searchClass); }
      function say(text) { live.text(''); window.setTimeout(function () { live.text(text); }, 50); }
      function mark(expanded) {
        search().attr({'role': 'combobox', 'aria-autocomplete': 'list',
                       'aria-expanded': expanded ? 'true' : 'false'});
      }
      mark(false);
      widget.element.on(widget.openEvent, function () { mark(true); });
      widget.element.on(widget.closeEvent, function () {
        mark(false);
        search().removeAttr('aria-activedescendant');
      });
      widget.element.on(widget.changeEvent, function () { armed = null; mark(false); });
      var results = null;
      new MutationObserver(function () {
        var list = widget.list();
        if (!list.length || !widget.isOpen()) { return; }
        var highlighted = list.find(widget.highlighted).first();
        if (highlighted.length && highlighted.attr('id')) {
          search().attr('aria-activedescendant', highlighted.attr('id'));
        } else {
          // no option is highlighted while a new query runs: name none rather than a gone one
          search().removeAttr('aria-activedescendant');
        }
        if (widget.pending(list)) { return; }
        var count = widget.options(list).length;
        var key = count + ':' + list.children().first().text();
        if (key !== results) {
          results = key;
          say(count === 0 ? 'No suggestions' : count === 1 ? '1 suggestion' : count + ' suggestions');
        }
      }).observe(document.body, {subtree: true, childList: true, attributes: true,
                                 attributeFilter: ['class']});
      container[0].addEventListener('keydown', function (event) {
        var field = event.target;
        if (!field.classList || !field.classList.contains(widget.searchClass)) { return; }
        if (event.key !== 'Backspace' || field.value !== '') { armed = null; return; }
        var chosen = widget.lastChosen();
        event.stopImmediatePropagation();
        event.stopPropagation();
        event.preventDefault();
        if (!chosen) { return; }
        if (armed !== chosen.id) {
          armed = chosen.id;
          say('Press Backspace again to remove ' + chosen.text);
          return;
        }
        armed = null;
        widget.remove(chosen.id);
        say('Removed ' + chosen.text);
        window.setTimeout(function () { search().trigger('focus'); }, 0);
      }, true);
    },

    _select2v3: function () {
      // select2 3.5 builds a multi-select on a hidden input holding comma-separated ids
      var input = this.el;
      var options = this.options;
      var results = this._results;
      var selected = (options.selected || []).map(function (item) {
        return { id: item.value, text: item.label };
      });
      var hidden = $('<input type="hidden">');
      hidden.attr('id', input.attr('id') + '-select');
      hidden.val(selected.map(function (item) { return item.id; }).join(','));
      input.attr('type', 'hidden');
      input.after(hidden);

      hidden.select2({
        width: '100%',
        multiple: true,
        minimumInputLength: 1,
        placeholder: input.attr('placeholder') || '',
        initSelection: function (element, callback) {
          callback(selected);
        },
        ajax: {
          url: options.source,
          dataType: 'json',
          quietMillis: 200,
          data: function (term) {
            return { id: options.vocabulary, q: term || '', limit: 20 };
          },
          results: function (data) {
            return { results: results(data) };
          }
        }
      });

      hidden.on('change', function () {
        input.val((hidden.select2('val') || []).join(', '));
      });
      var container = hidden.select2('container');
      // 3.5 labels its search box from a label for the hidden field, which has none
      container.find('.select2-input')
        .attr('aria-label', input.closest('.form-group').find('label').first().text());
      var dropdown = hidden.data('select2').dropdown;
      this._combobox({
        element: hidden,
        container: container,
        searchClass: 'select2-input',
        openEvent: 'select2-open',
        closeEvent: 'select2-close',
        changeEvent: 'change',
        isOpen: function () { return !!hidden.data('select2') && hidden.data('select2').opened(); },
        list: function () { return dropdown.find('.select2-results'); },
        // 3.5 puts role=option (and the id) on the label inside the highlighted item
        highlighted: '.select2-highlighted > .select2-result-label',
        options: function (list) {
          return list.find('.select2-result-selectable').not('.select2-selected');
        },
        pending: function (list) {
          return container.find('.select2-input').hasClass('select2-active') ||
            list.find('.select2-searching').length > 0;
        },
        lastChosen: function () {
          var data = hidden.select2('data') || [];
          var last = data[data.length - 1];
          return last ? { id: String(last.id), text: last.text } : null;
        },
        remove: function (id) {
          var data = (hidden.select2('data') || []).filter(function (item) {
            return String(item.id) !== id;
          });
          hidden.select2('data', data, true);
        }
      });
    }
  };
});
