"""The capacity map as a JSON document (for machines) and text tables (for people).

The document keeps keys (theme, region, group keys) and adds a ``labels``
block in the language asked for; the tables print labels in that language.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from matcher import Network, Taxonomy
from matcher.capacity_map import EXPERT_LEVEL, NEED_LEVEL, NORTH_SOUTH, CapacityMap, GroupCount
from matcher.geo import REGION_LABELS
from matcher.taxonomy import LABEL_LANGUAGES
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION
from service.documents.tables import render_table

TABLE_ROWS = 15
"""Rows per table section; the JSON document has them all."""


def labels_by_language(
    rows: dict[str, tuple[str, str, str, str, str]],
) -> Mapping[str, Mapping[str, str]]:
    """Label rows written (en, fr, es, pt, ar) as key → language → label."""
    return MappingProxyType(
        {
            key: MappingProxyType(dict(zip(LABEL_LANGUAGES, texts, strict=True)))
            for key, texts in rows.items()
        }
    )


_OTHER_GROUPS = labels_by_language(
    {
        "international": (
            "International (no country)",
            "International (sans pays)",
            "Internacional (sin país)",
            "Internacional (sem país)",
            "دولي (بلا بلد)",
        ),
        "global_south": (
            "Global South",
            "Sud global",
            "Sur global",
            "Sul global",
            "الجنوب العالمي",
        ),
        "global_north": (
            "Global North",
            "Nord global",
            "Norte global",
            "Norte global",
            "الشمال العالمي",
        ),
        "national_coalition": (
            "National coalitions",
            "Coalitions nationales",
            "Coaliciones nacionales",
            "Coalizões nacionais",
            "الائتلافات الوطنية",
        ),
        "regional_network": (
            "Regional networks",
            "Réseaux régionaux",
            "Redes regionales",
            "Redes regionais",
            "الشبكات الإقليمية",
        ),
        "international_ngo": (
            "International NGOs",
            "ONG internationales",
            "ONG internacionales",
            "ONGs internacionais",
            "المنظمات غير الحكومية الدولية",
        ),
    }
)
GROUP_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({**REGION_LABELS, **_OTHER_GROUPS})
"""Labels of every group key: regions, "international", the two sides, the kinds."""

HEADINGS = labels_by_language(
    {
        "title": (
            "Capacity map",
            "Carte des capacités",
            "Mapa de capacidades",
            "Mapa de capacidades",
            "خريطة القدرات",
        ),
        "supply_demand": (
            "Supply and demand by theme",
            "Offre et demande par thème",
            "Oferta y demanda por tema",
            "Oferta e demanda por tema",
            "العرض والطلب حسب الموضوع",
        ),
        "by_group": (
            "Experts / members in need, by group",
            "Experts / membres en demande, par groupe",
            "Expertos / miembros con necesidad, por grupo",
            "Especialistas / membros com necessidade, por grupo",
            "الخبراء / الأعضاء المحتاجون، حسب المجموعة",
        ),
        "theme": ("theme", "thème", "tema", "tema", "الموضوع"),
        "experts": ("experts", "experts", "expertos", "especialistas", "الخبراء"),
        "capacity": (
            "mentor capacity",
            "capacité de mentorat",
            "capacidad de mentoría",
            "capacidade de mentoria",
            "القدرة على الإرشاد",
        ),
        "in_need": ("in need", "en demande", "con necesidad", "com necessidade", "المحتاجون"),
        "coverage": ("coverage", "couverture", "cobertura", "cobertura", "التغطية"),
        "unserved": ("unserved", "sans mentor", "sin mentor", "sem mentor", "بلا مرشد"),
        "unmet": (
            "Unmet needs: expertise to bring in from outside",
            "Besoins non couverts : expertise à chercher hors du réseau",
            "Necesidades no cubiertas: experiencia que buscar fuera de la red",
            "Necessidades não atendidas: competências a buscar fora da rede",
            "احتياجات غير ملباة: خبرات ينبغي استقدامها من خارج الشبكة",
        ),
        "language": ("language", "langue", "idioma", "idioma", "اللغة"),
        "why": ("why", "pourquoi", "motivo", "motivo", "السبب"),
        "members": ("members", "membres", "miembros", "membros", "الأعضاء"),
        "no_expert": (
            "no expert speaks it",
            "aucun expert ne la parle",
            "ningún experto la habla",
            "nenhum especialista a fala",
            "لا يتحدثها أي خبير",
        ),
        "not_enough_capacity": (
            "not enough capacity",
            "capacité insuffisante",
            "capacidad insuficiente",
            "capacidade insuficiente",
            "القدرة غير كافية",
        ),
        "unmet_note": (
            "members: those with no expert in any of their languages, or those in need beyond "
            "the experts' capacity in the language (an estimate: members and experts may use "
            "several languages); the exact count per theme is the unserved column",
            "membres : ceux qui n'ont d'expert dans aucune de leurs langues, ou ceux en demande "
            "au-delà de la capacité des experts dans la langue (estimation : membres et experts "
            "peuvent travailler en plusieurs langues) ; le nombre exact par thème est la colonne "
            "« sans mentor »",
            "miembros: los que no tienen experto en ninguno de sus idiomas, o los que superan la "
            "capacidad de los expertos en el idioma (estimación: miembros y expertos pueden usar "
            "varios idiomas); la cifra exacta por tema es la columna «sin mentor»",
            "membros: os que não têm especialista em nenhum dos seus idiomas, ou os que excedem a "
            "capacidade dos especialistas no idioma (estimativa: membros e especialistas podem "
            "usar vários idiomas); o número exato por tema é a coluna «sem mentor»",
            "الأعضاء: من لا يوجد خبير يتحدث أيًا من لغاتهم، أو من يتجاوزون قدرة الخبراء في "
            "اللغة (تقدير: قد يعمل الأعضاء والخبراء بعدة لغات)؛ العدد الدقيق لكل موضوع في "
            "عمود «بلا مرشد»",
        ),
        "spof": (
            "Single points of failure: one expert only",
            "Points de fragilité : un seul expert",
            "Puntos únicos de fallo: un solo experto",
            "Pontos únicos de falha: um só especialista",
            "نقاط الضعف: خبير واحد فقط",
        ),
        "only_expert": (
            "only expert",
            "seul expert",
            "único experto",
            "único especialista",
            "الخبير الوحيد",
        ),
        "dependents": (
            "depending on it",
            "membres concernés",
            "miembros que dependen",
            "membros dependentes",
            "الأعضاء المعتمدون عليه",
        ),
        "stranded": (
            "no other expert",
            "sans autre expert",
            "sin otro experto",
            "sem outro especialista",
            "بلا خبير آخر",
        ),
        "brokers": (
            "Brokers: betweenness in the help graph",
            "Passeurs : intermédiarité dans le graphe d'entraide",
            "Intermediarios: intermediación en el grafo de ayuda",
            "Intermediários: intermediação no grafo de ajuda",
            "الوسطاء: مركزية البينية في شبكة المساعدة",
        ),
        "sampled": (
            "estimated from {k} sampled members",
            "estimée à partir de {k} membres tirés au sort",
            "estimada a partir de {k} miembros sorteados",
            "estimada a partir de {k} membros sorteados",
            "مقدّرة من عينة من {k} عضوًا",
        ),
        "member": ("member", "membre", "miembro", "membro", "العضو"),
        "name": ("name", "nom", "nombre", "nome", "الاسم"),
        "score": ("betweenness", "intermédiarité", "intermediación", "intermediação", "البينية"),
        "can_help": ("can help", "peut aider", "puede ayudar a", "pode ajudar", "يمكنه مساعدة"),
        "helped_by": ("helped by", "aidé par", "ayudado por", "ajudado por", "يساعده"),
        "south_south": (
            "South–South potential: {met} of {needs} Southern needs ({share}) could be met by "
            "a Southern expert sharing a language",
            "Potentiel Sud–Sud : {met} des {needs} besoins du Sud ({share}) pourraient être "
            "couverts par un expert du Sud parlant une langue commune",
            "Potencial Sur–Sur: {met} de las {needs} necesidades del Sur ({share}) podrían "
            "cubrirse con un experto del Sur que comparta un idioma",
            "Potencial Sul–Sul: {met} das {needs} necessidades do Sul ({share}) poderiam ser "
            "atendidas por um especialista do Sul que partilhe um idioma",
            "إمكانات التعاون جنوب–جنوب: يمكن تلبية {met} من أصل {needs} احتياجًا في الجنوب "
            "({share}) بخبير من الجنوب يتحدث لغة مشتركة",
        ),
        "summary": (
            "{members} members · {needs} needs at level ≥ {need_level} · {unserved} unserved "
            "even if every expert (level ≥ {expert_level}) gave them all its capacity · "
            "{spof} single points of failure",
            "{members} membres · {needs} besoins de niveau ≥ {need_level} · {unserved} sans "
            "mentor même si chaque expert (niveau ≥ {expert_level}) y consacrait toute sa "
            "capacité · {spof} points de fragilité",
            "{members} miembros · {needs} necesidades de nivel ≥ {need_level} · {unserved} sin "
            "mentor aunque cada experto (nivel ≥ {expert_level}) dedicara toda su capacidad · "
            "{spof} puntos únicos de fallo",
            "{members} membros · {needs} necessidades de nível ≥ {need_level} · {unserved} sem "
            "mentor mesmo que cada especialista (nível ≥ {expert_level}) dedicasse toda a sua "
            "capacidade · {spof} pontos únicos de falha",
            "{members} عضوًا · {needs} احتياجًا بمستوى ≥ {need_level} · {unserved} بلا مرشد "
            "حتى لو كرّس كل خبير (مستوى ≥ {expert_level}) كامل قدرته · {spof} نقطة ضعف",
        ),
        "more": (
            "… {n} more with --format json",
            "… {n} de plus avec --format json",
            "… {n} más con --format json",
            "… mais {n} com --format json",
            "… {n} أخرى مع --format json",
        ),
        "none": ("none", "aucun", "ninguno", "nenhum", "لا يوجد"),
    }
)


def _group_dict(count: GroupCount) -> dict:
    return {
        "supply": {"members": count.supply_members, "capacity": count.supply_capacity},
        "demand": {"members": count.demand_members, "capacity": count.demand_capacity},
    }


def map_document(cmap: CapacityMap, network: Network, taxonomy: Taxonomy, *, lang: str) -> dict:
    """The JSON document of a capacity map (schema_version 1)."""
    themes = [
        {
            "theme": row.theme,
            "supply": {"members": row.supply_members, "capacity": row.supply_capacity},
            "demand": {"members": row.demand_members, "capacity": row.demand_capacity},
            "coverage": row.coverage,
            "no_expert": row.no_expert,
            "unserved": row.unserved,
            "by_group": {g.group: _group_dict(g) for g in row.by_group},
            "north_south": {g.group: _group_dict(g) for g in row.north_south},
        }
        for row in cmap.themes
    ]
    south = cmap.south_south
    return {
        "schema_version": SCHEMA_VERSION,
        "by": cmap.by,
        "themes": themes,
        "unmet": [
            {
                "theme": g.theme,
                "language": g.language,
                "code": g.code,
                "members": g.members,
                "demand": g.demand,
                "experts": g.experts,
                "capacity": g.capacity,
            }
            for g in cmap.unmet
        ],
        "single_points_of_failure": [
            {
                "theme": s.theme,
                "language": s.language,
                "expert": s.expert,
                "dependents": s.dependents,
                "stranded": s.stranded,
            }
            for s in cmap.single_points_of_failure
        ],
        "brokers": [
            {"member": b.member, "score": b.score, "can_help": b.can_help, "helped_by": b.helped_by}
            for b in cmap.brokers
        ],
        "south_south_potential": {
            "needs": south.needs,
            "met": south.met,
            "share": south.share,
            "by_theme": [
                {"theme": t.theme, "needs": t.needs, "met": t.met} for t in south.by_theme
            ],
        },
        "summary": {
            "members": cmap.members,
            "themes_with_demand": sum(1 for row in cmap.themes if row.demand_members),
            "needs": sum(row.demand_members for row in cmap.themes),
            "unserved": sum(row.unserved for row in cmap.themes),
            "no_expert": sum(row.no_expert for row in cmap.themes),
            "single_points_of_failure": len(cmap.single_points_of_failure),
            "expert_level": EXPERT_LEVEL,
            "need_level": NEED_LEVEL,
            "help_graph_edges": cmap.help_graph_edges,
            "broker_sources": cmap.broker_sources,
            "taxonomy_version": network.taxonomy_version,
            "input_sha256": input_sha256(network),
        },
        "labels": {
            "lang": lang,
            "themes": {row.theme: taxonomy.label(row.theme, lang) for row in cmap.themes},
            "groups": {g: GROUP_LABELS[g][lang] for g in (*cmap.groups, *NORTH_SOUTH)},
        },
    }


def map_table(cmap: CapacityMap, network: Network, taxonomy: Taxonomy, *, lang: str) -> str:
    """The capacity map for people: supply and demand of the most needed
    themes, by group, unmet needs, single points of failure, brokers and the
    South–South potential."""

    def h(key: str, **values: object) -> str:
        return HEADINGS[key][lang].format(**values)

    def section(title: str, headers: list[str], rows: list[list[object]], total: int) -> str:
        if not rows:
            return f"{title}\n{h('none')}"
        text = render_table(headers, rows, title=title)
        return text + (f"\n{h('more', n=total - len(rows))}" if total > len(rows) else "")

    def theme(key: str) -> str:
        return taxonomy.label(key, lang)

    wanted = sorted(
        (row for row in cmap.themes if row.demand_members),
        key=lambda r: (-r.demand_members, -r.unserved, r.theme),
    )
    shown = wanted[:TABLE_ROWS]
    supply_demand = section(
        f"{h('title')} — {h('supply_demand')}",
        [h("theme"), h("experts"), h("capacity"), h("in_need"), h("coverage"), h("unserved")],
        [
            [
                theme(r.theme),
                r.supply_members,
                r.supply_capacity,
                r.demand_members,
                f"{r.coverage:.2f}",
                r.unserved,
            ]
            for r in shown
        ],
        len(wanted),
    )
    by_group = section(
        h("by_group"),
        [h("theme"), *(GROUP_LABELS[g][lang] for g in cmap.groups)],
        [
            [theme(r.theme), *(f"{g.supply_members}/{g.demand_members}" for g in r.by_group)]
            for r in shown
        ],
        len(wanted),
    )
    unmet = section(
        h("unmet"),
        [h("theme"), h("language"), h("why"), h("members"), h("in_need"), h("capacity")],
        [
            [theme(g.theme), g.language, h(g.code), g.members, g.demand, g.capacity]
            for g in cmap.unmet[:TABLE_ROWS]
        ],
        len(cmap.unmet),
    )
    spof = section(
        h("spof"),
        [h("theme"), h("language"), h("only_expert"), h("dependents"), h("stranded")],
        [
            [theme(s.theme), s.language, s.expert, s.dependents, s.stranded]
            for s in cmap.single_points_of_failure[:TABLE_ROWS]
        ],
        len(cmap.single_points_of_failure),
    )
    names = {m.id: m.name for m in network.members}
    title = h("brokers")
    if cmap.broker_sources is not None:
        title += f" ({h('sampled', k=cmap.broker_sources)})"
    brokers = section(
        title,
        ["#", h("member"), h("name"), h("score"), h("can_help"), h("helped_by")],
        [
            [k + 1, b.member, names[b.member], f"{b.score:.4f}", b.can_help, b.helped_by]
            for k, b in enumerate(cmap.brokers)
        ],
        len(cmap.brokers),
    )
    south = cmap.south_south
    share = "—" if south.share is None else f"{south.share:.1%}"
    totals = h(
        "summary",
        members=cmap.members,
        needs=sum(r.demand_members for r in cmap.themes),
        unserved=sum(r.unserved for r in cmap.themes),
        spof=len(cmap.single_points_of_failure),
        need_level=NEED_LEVEL,
        expert_level=EXPERT_LEVEL,
    )
    return (
        "\n\n".join(
            [
                supply_demand,
                by_group,
                f"{unmet}\n{h('unmet_note')}",
                spof,
                brokers,
                h("south_south", met=south.met, needs=south.needs, share=share) + "\n" + totals,
            ]
        )
        + "\n"
    )
