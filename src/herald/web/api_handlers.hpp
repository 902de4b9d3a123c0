// web::handlers — one function per API operation (see api.cpp's table).
#pragma once

#include "herald/web/api.hpp"

namespace herald::web::handlers {

using http::Response;

Response list_accounts(admin::Admin&, const Call&);
Response create_account(admin::Admin&, const Call&);
Response get_account(admin::Admin&, const Call&);
Response update_account(admin::Admin&, const Call&);
Response delete_account(admin::Admin&, const Call&);
Response list_logins(admin::Admin&, const Call&);
Response create_login(admin::Admin&, const Call&);
Response set_login_password(admin::Admin&, const Call&);
Response delete_login(admin::Admin&, const Call&);
Response list_keys(admin::Admin&, const Call&);
Response create_key(admin::Admin&, const Call&);
Response get_key(admin::Admin&, const Call&);
Response delete_key(admin::Admin&, const Call&);
Response rotate_key(admin::Admin&, const Call&);
Response list_domains(admin::Admin&, const Call&);
Response create_domain(admin::Admin&, const Call&);
Response get_domain(admin::Admin&, const Call&);
Response delete_domain(admin::Admin&, const Call&);
Response domain_dns(admin::Admin&, const Call&);
Response verify_domain(admin::Admin&, const Call&);
Response rotate_dkim(admin::Admin&, const Call&);
Response list_suppressions(admin::Admin&, const Call&);
Response create_suppression(admin::Admin&, const Call&);
Response delete_suppression(admin::Admin&, const Call&);
Response list_audit(admin::Admin&, const Call&);
Response list_queue(admin::Admin&, const Call&);
Response get_queued(admin::Admin&, const Call&);
Response delete_queued(admin::Admin&, const Call&);
Response retry_queued(admin::Admin&, const Call&);
Response list_admin_tokens(admin::Admin&, const Call&);
Response create_admin_token(admin::Admin&, const Call&);
Response delete_admin_token(admin::Admin&, const Call&);
Response search_messages(admin::Admin&, const Call&);
Response get_message(admin::Admin&, const Call&);
Response get_stats(admin::Admin&, const Call&);
Response list_webhooks(admin::Admin&, const Call&);
Response create_webhook(admin::Admin&, const Call&);
Response delete_webhook(admin::Admin&, const Call&);
Response test_webhook(admin::Admin&, const Call&);
Response list_admin_users(admin::Admin&, const Call&);
Response create_admin_user(admin::Admin&, const Call&);
Response delete_admin_user(admin::Admin&, const Call&);
Response reset_admin_user_2fa(admin::Admin&, const Call&);

}  // namespace herald::web::handlers
