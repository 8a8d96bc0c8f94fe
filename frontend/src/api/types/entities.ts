// Shapes of /api/entities and /api/delegations (shared/api/routes/entities.py) and of the routing
// stored on each event (shared/domain/obligations/routing.py, in GET /api/trades/{uti}).
import { enumOf, type Schemas } from "./spec";

export type LegalEntity = Schemas["LegalEntity"];
export type DelegationAgreement = Schemas["DelegationAgreement"];
export type EntityBook = Schemas["EntityBook"];
export type RegimeStatuses = EntityBook["regimes"][number];
export type EntityBody = Schemas["EntityBody"];
export type NewAgreement = Schemas["NewAgreement"];
export type EntityKind = LegalEntity["kind"];
export const ENTITY_KINDS = enumOf<EntityKind>()(["head_office", "branch", "subsidiary"]);
export type AgreementCapacity = DelegationAgreement["capacity"];
export const AGREEMENT_CAPACITIES = enumOf<AgreementCapacity>()(["mandatory", "voluntary"]);

export type Routing = Schemas["Routing"];
export type RoutingReport = Schemas["RoutingReport"];
export type Capacity = RoutingReport["capacity"];
export const CAPACITIES = enumOf<Capacity>()(["self", "group", "mandatory", "voluntary"]);
export type RoutingBasis = Routing["basis"];
export const ROUTING_BASES = enumOf<RoutingBasis>()(["entities", "record", "tenant"]);
