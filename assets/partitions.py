"""Collections (one inbox folder each) are the partitions; a sensor registers them."""

import dagster as dg

COLLECTIONS = "collections"
collections = dg.DynamicPartitionsDefinition(name=COLLECTIONS)
