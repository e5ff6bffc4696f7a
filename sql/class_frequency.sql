-- Per class × source × stage × role: text units, mentions and conversations; every class has a row, zeros included.
create or replace table class_frequency as
with slices as (
    select source, stage, role
    from documents_summary
),

grid as (
    select classes.class_id, classes.class_index, classes.wnid, classes.display_name, slices.*
    from classes
    cross join slices
),

counted as (
    select
        class_id,
        source,
        stage,
        role,
        count(distinct doc_id) as n_docs,
        count(*) as n_mentions,
        count(distinct conversation_id) as n_conversations
    from mentions
    group by class_id, source, stage, role
)

select
    grid.class_id,
    grid.class_index,
    grid.wnid,
    grid.display_name,
    grid.source,
    grid.stage,
    grid.role,
    coalesce(counted.n_docs, 0) as n_docs,
    coalesce(counted.n_mentions, 0) as n_mentions,
    coalesce(counted.n_conversations, 0) as n_conversations
from grid
left join counted using (class_id, source, stage, role)
order by grid.class_index, grid.source, grid.stage, grid.role
