-- Per class × scope (each stage, each source, and everything combined): the frequencies correlation uses.
create or replace table class_frequency_by_scope as
with scoped_mentions as (
    select 'combined' as scope, class_id, doc_id, conversation_id from mentions
    union all
    select stage as scope, class_id, doc_id, conversation_id from mentions
    union all
    select 'source:' || source as scope, class_id, doc_id, conversation_id from mentions
),

scopes as (
    select 'combined' as scope from documents_summary
    union
    select stage from documents_summary
    union
    select 'source:' || source from documents_summary
),

counted as (
    select
        scope,
        class_id,
        count(distinct doc_id) as n_docs,
        count(*) as n_mentions,
        count(distinct conversation_id) as n_conversations
    from scoped_mentions
    group by scope, class_id
)

select
    classes.class_id,
    classes.class_index,
    classes.wnid,
    classes.display_name,
    scopes.scope,
    coalesce(counted.n_docs, 0) as n_docs,
    coalesce(counted.n_mentions, 0) as n_mentions,
    coalesce(counted.n_conversations, 0) as n_conversations
from classes
cross join scopes
left join counted using (class_id, scope)
order by scopes.scope, classes.class_index
