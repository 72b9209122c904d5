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
    }
  };
});
