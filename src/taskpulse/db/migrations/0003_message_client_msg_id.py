from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_tool_call_result')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Message',
            name='client_msg_id',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddIndex(
            model_name='Message',
            index=Index(fields=['owner_id', 'client_msg_id']),
        ),
    ]
