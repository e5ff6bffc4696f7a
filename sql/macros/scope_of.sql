-- The one definition of a frequency scope: the scope of a row of `group by grouping sets ((...), (..., stage),
-- (..., source))`, from grouping(stage) and grouping(source): the stage ('pretrain', 'instruct', 'other'),
-- 'source:<name>', or 'combined' (everything). A macro of the count's connection only.
create or replace temp macro scope_of(stage_grouping, source_grouping, stage, source) as
    case
        when stage_grouping = 0 then stage
        when source_grouping = 0 then 'source:' || source
        else 'combined'
    end
