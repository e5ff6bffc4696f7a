-- round 0: the seeds alone label the mentions holding more seeds of one side than of the other
create or replace table sense_labels as
select
    sense_features.doc_id,
    sense_features.start,
    sense_features.class_id,
    sense_features.term,
    count(*) filter (where sense_seeds.side = 'class') > count(*) filter (where sense_seeds.side = 'other') as label
from sense_features
join sense_seeds using (class_id, term, feature)
where feature not in (select feature from sense_generic_features)
group by all
having count(*) filter (where sense_seeds.side = 'class') <> count(*) filter (where sense_seeds.side = 'other')
