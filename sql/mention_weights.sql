-- Each mention's weight under each disambiguation policy, one row per mention × policy: the
-- weight_* columns of `mentions` (see sql/load_mentions.sql for what each policy means), long.
create or replace view mention_weights as
select
    source,
    stage,
    role,
    conversation_id,
    doc_id,
    start,
    term,
    class_id,
    flagged,
    unnest(['keep', 'drop', 'split', 'context']) as policy,
    unnest([weight_keep, weight_drop, weight_split, weight_context]) as weight
from mentions
