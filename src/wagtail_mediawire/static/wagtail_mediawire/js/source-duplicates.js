// The page editor warns, as an editor types a Source URL, which other articles of
// the site (live or draft) already use it, with links to them. It is not an error:
// the same report may be republished on purpose.
(function () {
  'use strict';

  const script = document.currentScript;
  const endpoint = script.dataset.duplicatesUrl;
  const editing = window.location.pathname.match(/\/pages\/(\d+)\/edit\/$/);
  const adding = window.location.pathname.match(/\/pages\/add\/[^/]+\/[^/]+\/(\d+)\/$/);
  if (!endpoint || !(editing || adding)) {
    return;
  }
  const where = editing ? { page: editing[1] } : { parent: adding[1] };
  const selector = 'input[data-mediawire-source-url]';
  const timers = new WeakMap();

  function noticeFor(input) {
    const field = input.closest('.w-field__input') || input;
    let notice = field.parentElement.querySelector(':scope > [data-mediawire-duplicates]');
    if (!notice) {
      notice = document.createElement('div');
      notice.className = 'help-block help-warning';
      notice.setAttribute('data-mediawire-duplicates', '');
      notice.setAttribute('role', 'status');
      notice.hidden = true;
      field.after(notice);
    }
    return notice;
  }

  function show(notice, duplicates) {
    notice.replaceChildren();
    notice.hidden = duplicates.length === 0;
    if (notice.hidden) {
      return;
    }
    const label = document.createElement('p');
    label.textContent = script.dataset.label;
    const list = document.createElement('ul');
    duplicates.forEach((duplicate) => {
      const item = document.createElement('li');
      const edit = document.createElement('a');
      edit.href = duplicate.edit_url;
      edit.target = '_blank';
      edit.textContent = duplicate.title;
      item.append(edit, ` (${duplicate.status})`);
      if (duplicate.live_url) {
        const live = document.createElement('a');
        live.href = duplicate.live_url;
        live.target = '_blank';
        live.textContent = script.dataset.viewLive;
        item.append(' · ', live);
      }
      list.append(item);
    });
    notice.append(label, list);
  }

  async function check(input) {
    const url = input.value.trim();
    const notice = noticeFor(input);
    if (!/^https?:\/\/\S+$/i.test(url)) {
      show(notice, []);
      return;
    }
    const query = new URLSearchParams({ ...where, url });
    try {
      const response = await fetch(`${endpoint}?${query}`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        return;
      }
      const { duplicates } = await response.json();
      if (input.value.trim() === url) {
        show(notice, duplicates);
      }
    } catch (error) {
      // A warning that cannot be fetched is no reason to disturb the editor.
    }
  }

  document.addEventListener('input', (event) => {
    if (!event.target.matches(selector)) {
      return;
    }
    window.clearTimeout(timers.get(event.target));
    timers.set(
      event.target,
      window.setTimeout(() => check(event.target), 300),
    );
  });
  window.addEventListener('load', () => {
    document.querySelectorAll(selector).forEach((input) => {
      if (input.value) {
        check(input);
      }
    });
  });
})();
