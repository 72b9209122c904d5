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
      var input = this.el;
      var options = this.options;
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
            var results = (data && data.result) || [];
            return {
              results: results.map(function (t) {
                return { id: t.value, text: t.text + (t.withdrawn ? ' (withdrawn)' : '') };
              })
            };
          }
        }
      });

      select.on('change', function () {
        input.val((select.val() || []).join(', '));
      });
    }
  };
});
