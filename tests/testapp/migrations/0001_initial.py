# The base page model through swapper, as in wagtail_mediawire's 0001: wagtailcore.Page
# and page_ptr unless a Wagtail 8 site swaps it (tests/settings_swapped_page.py).

import django.db.models.deletion
import swapper
import wagtail.fields
from django.db import migrations, models

PAGE_MODEL = swapper.get_model_name('wagtailcore', 'Page')
PARENT_LINK = f"{swapper.split(PAGE_MODEL)[1].lower()}_ptr"


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('wagtailcore', '0097_baselogentry_uuid_action_timestamp_indexes'),
        swapper.dependency('wagtailcore', 'Page'),
    ]

    operations = [
        migrations.CreateModel(
            name='BarePage',
            fields=[
                (PARENT_LINK, models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=PAGE_MODEL)),
                ('body', wagtail.fields.RichTextField(blank=True)),
            ],
            options={
                'abstract': False,
            },
            bases=(PAGE_MODEL,),
        ),
        migrations.CreateModel(
            name='HomePage',
            fields=[
                (PARENT_LINK, models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=PAGE_MODEL)),
            ],
            options={
                'abstract': False,
            },
            bases=(PAGE_MODEL,),
        ),
    ]
