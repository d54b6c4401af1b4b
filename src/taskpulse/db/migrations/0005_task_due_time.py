from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_outbox')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Task',
            name='due_time',
            field=fields.CharField(null=True, max_length=5),
        ),
    ]
