-- Each mention's weight under each disambiguation policy, one row per mention × policy: the
-- weight_<policy> columns of `mentions` (see sql/load_mentions.sql for what each policy means), long.
create or replace view mention_weights as
with long_weights as (
    unpivot (
        select source, stage, role, conversation_id, doc_id, start, term, class_id, flagged, columns('^weight_')
        from mentions
    )
    on columns('^weight_')
    into name weight_column value weight
)

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
    replace(weight_column, 'weight_', '') as policy,
    weight::double as weight
from long_weights
