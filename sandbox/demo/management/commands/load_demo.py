"""``manage.py load_demo``: the sandbox's demo content and a local admin login.

Idempotent: every object is looked up (by slug, name or username) and created only
when missing, so running it again changes nothing except the admin's password,
which is reset to the one printed on screen.
"""

from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.coreutils import find_available_slug
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText

from demo import content
from demo.models import HomePage
from demo.views import DEMO_FEED
from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.models import (
    Disclaimer,
    MediaWireArticlePage,
    MediaWireIndexPage,
    WireFeed,
)

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"


class Command(BaseCommand):
    help = "Load the sandbox's demo content (idempotent) and ensure a local admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8000, help="The port printed in the admin login line."
        )

    @transaction.atomic
    def handle(self, *args, port: int, **options):
        home = self.ensure_home()
        disclaimer = self.ensure_disclaimer()
        section = self.ensure_section(home, disclaimer)
        self.ensure_social_image(section)
        for number, data in enumerate(content.ARTICLES, start=1):
            self.ensure_article(section, data, number)
        self.ensure_feed(section, port)
        self.ensure_admin()
        self.stdout.write(
            f"Admin login: http://127.0.0.1:{port}/admin/  "
            f"user: {ADMIN_USERNAME}  password: {ADMIN_PASSWORD}"
        )

    def report(self, label: str, created: bool) -> None:
        if created:
            self.stdout.write(self.style.SUCCESS(f"{label}: created"))
        else:
            self.stdout.write(f"{label}: already there")

    # Pages and snippets

    def ensure_home(self) -> HomePage:
        site = Site.objects.filter(is_default_site=True).first()
        home = HomePage.objects.first()
        created = home is None
        if created:
            home = self.create_home(site)
        if site is None:
            site = Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save()
        if not site.site_name:
            site.site_name = content.SITE_NAME
            site.save()
        self.report("Home page", created)
        return home

    def create_home(self, site: Site | None) -> HomePage:
        """Create the HomePage under the tree root in place of Wagtail's welcome page."""
        root = Page.get_first_root_node()
        welcome = site.root_page if site is not None else None
        # Only the untouched welcome page (a plain Page with no children) is removed:
        # anything a contributor built stays where it is.
        if welcome is not None and (
            welcome.specific_class is not Page or welcome.depth != 2 or welcome.numchild
        ):
            welcome = None
        if welcome is not None:
            # Sibling slugs are unique: free "home" for the new page. The welcome page
            # cannot be deleted yet, since the site would be deleted with it (CASCADE).
            welcome.slug = find_available_slug(root, "welcome-replaced")
            welcome.save()
        home = HomePage(
            title=content.HOME["title"],
            slug=find_available_slug(root, content.HOME["slug"]),
            intro=content.HOME["intro"],
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        if welcome is not None:
            site.root_page = home
            site.save()
            welcome.delete()
        return home

    def ensure_disclaimer(self) -> Disclaimer:
        locale = Locale.get_default()
        disclaimer = Disclaimer.objects.filter(
            name=content.DISCLAIMER["name"], locale=locale
        ).first()
        created = disclaimer is None
        if created:
            disclaimer = Disclaimer.objects.create(locale=locale, **content.DISCLAIMER)
            # A first revision, so the admin's history is not empty.
            disclaimer.save_revision()
        self.report(f"Disclaimer {disclaimer.name!r}", created)
        return disclaimer

    def ensure_section(self, home: HomePage, disclaimer: Disclaimer) -> MediaWireIndexPage:
        data = content.SECTION
        section = MediaWireIndexPage.objects.child_of(home).filter(slug=data["slug"]).first()
        created = section is None
        if created:
            section = MediaWireIndexPage(default_disclaimer=disclaimer, show_in_menus=True, **data)
            home.add_child(instance=section)
            section.save_revision().publish()
        elif section.default_disclaimer_id is None:
            # The disclaimer was deleted and has just been recreated: link it again.
            section.default_disclaimer = disclaimer
            section.save_revision().publish()
        self.report(f"Section {section.title!r}", created)
        return section

    def ensure_social_image(self, section: MediaWireIndexPage) -> None:
        """The section's default social image, drawn here: the demo ships no photos."""
        created = section.social_image_id is None
        if created:
            canvas = PILImage.new("RGB", (1200, 630), "#12355b")
            canvas.paste((242, 165, 65), (0, 560, 1200, 630))
            data = BytesIO()
            canvas.save(data, "PNG")
            section.social_image = get_image_model().objects.create(
                title=content.SOCIAL_IMAGE["title"],
                description=content.SOCIAL_IMAGE["description"],
                file=ImageFile(data, name="media-wire-card.png"),
            )
            section.save_revision().publish()
        self.report("Social image", created)

    def ensure_article(self, section: MediaWireIndexPage, data: dict, number: int) -> None:
        label = f"Article {number}/{len(content.ARTICLES)} {data['slug']!r}"
        if MediaWireArticlePage.objects.child_of(section).filter(slug=data["slug"]).exists():
            self.report(label, created=False)
            return
        published_at = timezone.now() - timedelta(hours=data["hours_ago"])
        article = MediaWireArticlePage(
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            body=article_body(data, published_at),
        )
        section.add_child(instance=article)
        article.save_revision().publish()
        # Publishing stamps "now"; backdate it so the section lists articles in order.
        article.refresh_from_db()
        article.first_published_at = article.last_published_at = published_at
        article.save(update_fields=["first_published_at", "last_published_at"])
        self.report(label, created=True)

    def ensure_feed(self, section: MediaWireIndexPage, port: int) -> None:
        """The demo agency's feed, its items imported as drafts from the file in the
        repository by the same parsing and import code as a fetched feed."""
        data = content.FEED
        feed = WireFeed.objects.filter(name=data["name"]).first()
        created = feed is None
        url = f"http://127.0.0.1:{port}/demo-feed.xml"
        if created:
            feed = WireFeed.objects.create(section=section, url=url, **data)
        elif feed.url != url:
            feed.url = url
            feed.save(update_fields=["url"])
        self.report(f"Feed {feed.name!r}", created)
        result = fetch(feed.pk, content=DEMO_FEED.read_bytes())
        self.stdout.write(f"Feed {feed.name!r}: {result.summary()}")

    # Users

    def ensure_admin(self) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=ADMIN_USERNAME).first()
        created = user is None
        if created:
            user_model.objects.create_superuser(
                ADMIN_USERNAME, "admin@sandbox.example", ADMIN_PASSWORD
            )
        else:
            # A known password, whatever it was changed to since.
            user.set_password(ADMIN_PASSWORD)
            user.is_active = user.is_staff = user.is_superuser = True
            user.save()
        self.stdout.write(
            self.style.SUCCESS(f"Superuser {ADMIN_USERNAME!r}: created")
            if created
            else f"Superuser {ADMIN_USERNAME!r}: already there (password reset)"
        )


def article_body(data: dict, published_at) -> list[tuple[str, object]]:
    """The StreamField value: paragraphs, an optional quote after the first, the sources."""
    paragraphs = [("paragraph", RichText(f"<p>{text}</p>")) for text in data["paragraphs"]]
    body: list[tuple[str, object]] = paragraphs[:1]
    if quote := data.get("quote"):
        body.append(("quote", {"text": quote[0], "attribution": quote[1]}))
    body += paragraphs[1:]
    for agency, path, original_headline in data["sources"]:
        name, base_url = content.AGENCIES[agency]
        body.append(
            (
                "source",
                {
                    "name": name,
                    "url": base_url + path,
                    "original_headline": original_headline,
                    # The agency published shortly before the desk did.
                    "published_at": published_at - timedelta(hours=1),
                },
            )
        )
    return body
