-- Features too common to be a seed: present in the windows of more than $generic_share of all flagged mentions
-- of the corpus (a, man, wearing in captions). A statistic of the corpus itself, no list.
create or replace table sense_generic_features as
with mentions as (
    select count(distinct (doc_id, start)) as n
    from sense_features
)

select feature
from sense_features
group by feature
having count(distinct (doc_id, start)) > $generic_share * (select n from mentions)
