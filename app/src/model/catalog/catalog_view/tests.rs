use super::*;

#[test]
fn the_url_round_trips() {
    let view = CatalogView::from_query(
        "?kind=Component&type=service,website&q=pay%20ments&sort=-owner&page=3&starred=true&x=1",
    );
    assert_eq!(view.selected[&Facet::Kind], ["component"]);
    assert_eq!(view.selected[&Facet::Type], ["service", "website"]);
    assert_eq!(view.text, "pay ments");
    assert_eq!(view.sort, Some((Column::Owner, Order::Desc)));
    assert_eq!(view.page, 2);
    assert_eq!(view.show, Show::Starred);
    assert_eq!(
        view.to_query(),
        "kind=component&type=service%2Cwebsite&q=pay+ments&sort=-owner&starred=true&page=3"
    );
    assert_eq!(CatalogView::from_query(&view.to_query()), view);
    assert_eq!(CatalogView::default().href(), "/catalog");
}

#[test]
fn nonsense_in_the_url_is_ignored() {
    let view = CatalogView::from_query("sort=tags&page=0&page=x&kind=");
    assert_eq!(view, CatalogView::default());
    assert_eq!(CatalogView::from_query("page=-2").page, 0);
}

#[test]
fn toggling_sorting_and_searching_restart_at_the_first_page() {
    let view = CatalogView::default().on_page(4);
    let kind = view.toggled(Facet::Kind, "API");
    assert_eq!(kind.page, 0);
    assert!(kind.is_selected(Facet::Kind, "api"));
    assert_eq!(kind.toggled(Facet::Kind, "api").selected.len(), 0);
    let sorted = view.sorted_by(Column::Name);
    assert_eq!(sorted.sort, Some((Column::Name, Order::Asc)));
    let sorted = sorted.sorted_by(Column::Name);
    assert_eq!(sorted.sort, Some((Column::Name, Order::Desc)));
    assert_eq!(sorted.sorted_by(Column::Name).sort, None);
    assert_eq!(view.searching("x").page, 0);
}

#[test]
fn a_view_becomes_the_query_the_server_runs() {
    let view = CatalogView::from_query("kind=component&owner=team-a,team-b&q=Pay&sort=name");
    let query = view.entity_query(&[], &[], None).unwrap();
    assert_eq!(query.filter.len(), 1);
    assert_eq!(query.filter[0].conditions.len(), 2);
    assert_eq!(query.filter[0].conditions[1].values, ["team-a", "team-b"]);
    assert_eq!(query.full_text.unwrap().term, "pay");
    assert_eq!(query.order[0].key, "metadata.name");
    assert_eq!((query.offset, query.limit), (0, PAGE_SIZE));

    // A facet's own counts leave its selection out.
    let owners = view.entity_query(&[], &[], Some(Facet::Owner)).unwrap();
    assert_eq!(owners.filter[0].conditions.len(), 1);

    // Starred: one group per starred entity, each with the facet conditions.
    let starred = view.showing(Show::Starred);
    assert_eq!(starred.entity_query(&[], &[], None), None);
    let refs = [
        EntityRef::new("Component", "default", "a"),
        EntityRef::new("API", "default", "b"),
    ];
    let query = starred.entity_query(&refs, &[], None).unwrap();
    assert_eq!(query.filter.len(), 2);
    assert_eq!(query.filter[1].conditions.len(), 5);

    // Owned: what the person or their groups own, with the facet conditions.
    let owned = CatalogView::from_query("kind=component&owned=true");
    assert_eq!(owned.to_query(), "kind=component&owned=true");
    assert_eq!(
        owned.entity_query(&[], &[], None),
        None,
        "the guest owns nothing"
    );
    let ownership = [
        EntityRef::new("Group", "default", "Team-A"),
        EntityRef::new("User", "default", "ada"),
    ];
    let query = owned.entity_query(&[], &ownership, None).unwrap();
    let last = query.filter[0].conditions.last().unwrap();
    assert_eq!(last.key, "relations.ownedby");
    assert_eq!(last.values, ["group:default/team-a", "user:default/ada"]);
}

#[test]
fn columns_fit_the_kind() {
    assert!(CatalogView::default().columns().contains(&Column::Kind));
    let users = CatalogView::from_query("kind=user");
    assert!(users.columns().contains(&Column::Email));
    let components = CatalogView::from_query("kind=component");
    assert!(components.columns().contains(&Column::Lifecycle));
    assert!(!components.columns().contains(&Column::Kind));
}
