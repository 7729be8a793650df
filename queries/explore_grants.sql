-- purpose: Grant records (awards, programme totals, calls) for the Explore table and its downloads: current filters, page search, capped.
-- params:
--   $f         STRUCT   filter state
--   $search    VARCHAR  page search (grant id, title, funder, programme; case-insensitive); null or '' = all
--   $max_rows  BIGINT   most rows to return (the table's display cap)
-- columns:
--   grant_id         VARCHAR  stable key '<source>:<native id>'
--   url              VARCHAR  page the figure was taken from, or the funder's record
--   funder           VARCHAR  organisation that awarded the money
--   year             BIGINT   year the money is counted in (see year_convention)
--   record_type      VARCHAR  award (one grant), programme (a round's total: never add to awards) or call (announced, not spent)
--   amount           DOUBLE   amount in the original currency; empty when the source states none (never 0)
--   currency         VARCHAR  ISO 4217 code of amount
--   amount_eur       DOUBLE   amount in EUR at the ECB euro reference rate, mean of the year's daily rates; empty when no amount
--   amount_basis     VARCHAR  exact, per_award, total, up_to, at_least, partial or approximate
--   title            VARCHAR  award or programme title/topic (shown as text, never as HTML)
--   programme        VARCHAR  funding programme or round
--   year_convention  VARCHAR  NIH fiscal year, award year, announcement year or project start year
--   n_awards         BIGINT   number of awards a programme row covers
--   start_year       BIGINT   first year of the award period where known
--   end_year         BIGINT   last year of the award period where known
--   fx_method        VARCHAR  how the amount was converted (rate source and rate year)
--   country          VARCHAR  country name of the funded organisation
--   ms_relevance     VARCHAR  Progressive-specific or MS, not progression-specific
--   gap_area         VARCHAR  Alliance gap area
--   project_id       VARCHAR  project funded (empty for programme totals and calls)
--   source           VARCHAR  source id of the record
--   as_of            DATE     date the source data were retrieved or published
with matching as (
    select *
    from filtered_grants($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', grant_id, title, funder, programme)),
           lower($search)
       )
),

final as (
    select
        m.grant_id,
        m.url,
        m.funder,
        m.year,
        m.record_type,
        m.amount,
        m.currency,
        m.amount_eur,
        m.amount_basis,
        m.title,
        m.programme,
        m.year_convention,
        m.n_awards,
        m.start_year,
        m.end_year,
        m.fx_method,
        c.name as country,
        m.ms_relevance,
        m.gap_area,
        m.project_id,
        m.source,
        m.as_of
    from matching as m
    left join countries as c on c.iso3 = m.iso3
    order by m.year desc nulls last, m.funder, m.grant_id
    limit $max_rows
)

select * from final
