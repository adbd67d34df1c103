"""The wire desk's admin: the Media Wire menu group (wagtail-modeladmin), the
Disclaimer snippet's viewset, the feed form, the dashboard panel, the editor's
duplicate-source lookup and the hooks that turn the source rule's refusals into
messages. ``wagtail_hooks`` registers them; nothing below the entry points imports
this package."""
