#pragma once
// Who the caller is on a contract: its client, its working party (the freelancer, or for a clan's
// contract the clan's HEAD, CO_HEAD or ADMIN, from the read model of clans' rosters), a clan's
// MEMBER, an admin or a stranger.
#include <pqxx/transaction>
#include <string>

#include "domain/clan_payout.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::contracts {

inline Viewer PartyOf(pqxx::work& tx, const std::string& subject, const std::string& role, const std::string& client_id,
                      const std::string& freelancer_id, const std::string& clan_id) {
    if (clan_id.empty()) return ViewerOf(subject, role, client_id, freelancer_id);
    return ClanViewerOf(subject, role, client_id, storage::ClanRoleOf(tx, clan_id, subject));
}

}  // namespace marketplace::contracts
