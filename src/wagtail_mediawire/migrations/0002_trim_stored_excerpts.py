"""Cut excerpts stored before they were capped (a whole first paragraph, however long)."""

from django.db import migrations
from django.db.models.functions import Length
from django.utils.text import Truncator

# As wagtail_mediawire.models.pages at the time of this migration.
EXCERPT_MAX_WORDS = 100
EXCERPT_MAX_CHARS = 1000


def trim_excerpts(apps, schema_editor):
    Article = apps.get_model("wagtail_mediawire", "MediaWireArticlePage")
    # Longer than the cap in characters, or possibly in words (a word is 2+ characters
    # with its space, so fewer than 2 * 100 characters cannot hold more than 100 words).
    long = Article.objects.annotate(excerpt_length=Length("excerpt")).filter(
        excerpt_length__gt=2 * EXCERPT_MAX_WORDS
    )
    for article in long.only("pk", "excerpt").iterator(chunk_size=500):
        text = Truncator(article.excerpt).words(EXCERPT_MAX_WORDS, truncate="…")
        text = Truncator(text).chars(EXCERPT_MAX_CHARS, truncate="…")
        if text != article.excerpt:
            Article.objects.filter(pk=article.pk).update(excerpt=text)


class Migration(migrations.Migration):
    dependencies = [("wagtail_mediawire", "0001_initial")]

    operations = [migrations.RunPython(trim_excerpts, migrations.RunPython.noop, elidable=True)]
