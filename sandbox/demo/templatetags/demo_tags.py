from django import template
from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_items(context) -> list[dict]:
    """The live children of the site's home page marked "Show in menus".

    ``current`` is the item's ``aria-current`` value: "page" on the page itself,
    "true" on an article's section, "" elsewhere.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return []
    path = getattr(context.get("page"), "path", "")
    return [
        {"page": child, "current": _aria_current(path, child.path)}
        for child in site.root_page.get_children().live().in_menu()
    ]


def _aria_current(current_path: str, item_path: str) -> str:
    if current_path == item_path:
        return "page"
    # Treebeard paths: a descendant's path starts with its ancestors' paths.
    return "true" if current_path.startswith(item_path) else ""
