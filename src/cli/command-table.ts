import type { CommandSpec } from "./command.ts";
import * as accountGetAccessToken from "./commands/account/get-access-token.ts";
import * as accountList from "./commands/account/list.ts";
import * as accountSet from "./commands/account/set.ts";
import * as accountShow from "./commands/account/show.ts";
import * as adAppCreate from "./commands/ad-app/create.ts";
import * as adAppList from "./commands/ad-app/list.ts";
import * as adAppShow from "./commands/ad-app/show.ts";
import * as adAppCredentialReset from "./commands/ad-app-credential/reset.ts";
import * as adGroupCreate from "./commands/ad-group/create.ts";
import * as adGroupDelete from "./commands/ad-group/delete.ts";
import * as adGroupList from "./commands/ad-group/list.ts";
import * as adGroupShow from "./commands/ad-group/show.ts";
import * as adGroupMemberAdd from "./commands/ad-group-member/add.ts";
import * as adGroupMemberCheck from "./commands/ad-group-member/check.ts";
import * as adGroupMemberList from "./commands/ad-group-member/list.ts";
import * as adGroupMemberRemove from "./commands/ad-group-member/remove.ts";
import * as adSignedInUserShow from "./commands/ad-signed-in-user/show.ts";
import * as adSpCreate from "./commands/ad-sp/create.ts";
import * as adSpCreateForRbac from "./commands/ad-sp/create-for-rbac.ts";
import * as adSpDelete from "./commands/ad-sp/delete.ts";
import * as adSpList from "./commands/ad-sp/list.ts";
import * as adSpShow from "./commands/ad-sp/show.ts";
import * as adUserCreate from "./commands/ad-user/create.ts";
import * as adUserDelete from "./commands/ad-user/delete.ts";
import * as adUserList from "./commands/ad-user/list.ts";
import * as adUserShow from "./commands/ad-user/show.ts";
import * as adUserUpdate from "./commands/ad-user/update.ts";
import * as applyApply from "./commands/apply/apply.ts";
import * as auditCalls from "./commands/audit/calls.ts";
import * as auditList from "./commands/audit/list.ts";
import * as chatChat from "./commands/chat/chat.ts";
import * as cloudAzConfig from "./commands/cloud/az-config.ts";
import * as cloudList from "./commands/cloud/list.ts";
import * as cloudRegister from "./commands/cloud/register.ts";
import * as cloudSet from "./commands/cloud/set.ts";
import * as cloudShow from "./commands/cloud/show.ts";
import * as cloudUnregister from "./commands/cloud/unregister.ts";
import * as csAccountCreate from "./commands/cs-account/create.ts";
import * as csAccountDelete from "./commands/cs-account/delete.ts";
import * as csAccountList from "./commands/cs-account/list.ts";
import * as csAccountShow from "./commands/cs-account/show.ts";
import * as csAccountDeploymentCreate from "./commands/cs-account-deployment/create.ts";
import * as csAccountDeploymentDelete from "./commands/cs-account-deployment/delete.ts";
import * as csAccountDeploymentList from "./commands/cs-account-deployment/list.ts";
import * as csAccountDeploymentShow from "./commands/cs-account-deployment/show.ts";
import * as csAccountKeysList from "./commands/cs-account-keys/list.ts";
import * as csAccountKeysRegenerate from "./commands/cs-account-keys/regenerate.ts";
import * as csAccountRaiBlocklistCreate from "./commands/cs-account-rai-blocklist/create.ts";
import * as csAccountRaiBlocklistDelete from "./commands/cs-account-rai-blocklist/delete.ts";
import * as csAccountRaiBlocklistList from "./commands/cs-account-rai-blocklist/list.ts";
import * as csAccountRaiBlocklistShow from "./commands/cs-account-rai-blocklist/show.ts";
import * as csAccountRaiBlocklistItemAdd from "./commands/cs-account-rai-blocklist-item/add.ts";
import * as csAccountRaiBlocklistItemDelete from "./commands/cs-account-rai-blocklist-item/delete.ts";
import * as csAccountRaiBlocklistItemList from "./commands/cs-account-rai-blocklist-item/list.ts";
import * as csAccountRaiBlocklistItemShow from "./commands/cs-account-rai-blocklist-item/show.ts";
import * as csAccountRaiPolicyCreate from "./commands/cs-account-rai-policy/create.ts";
import * as csAccountRaiPolicyDelete from "./commands/cs-account-rai-policy/delete.ts";
import * as csAccountRaiPolicyList from "./commands/cs-account-rai-policy/list.ts";
import * as csAccountRaiPolicyShow from "./commands/cs-account-rai-policy/show.ts";
import * as csModelList from "./commands/cs-model/list.ts";
import * as deploymentGroupCreate from "./commands/deployment-group/create.ts";
import * as deploymentGroupDelete from "./commands/deployment-group/delete.ts";
import * as deploymentGroupList from "./commands/deployment-group/list.ts";
import * as deploymentGroupShow from "./commands/deployment-group/show.ts";
import * as deploymentGroupValidate from "./commands/deployment-group/validate.ts";
import * as deploymentGroupWhatIf from "./commands/deployment-group/what-if.ts";
import * as deploymentOperationGroupList from "./commands/deployment-operation-group/list.ts";
import * as deploymentSubCreate from "./commands/deployment-sub/create.ts";
import * as deploymentSubDelete from "./commands/deployment-sub/delete.ts";
import * as deploymentSubList from "./commands/deployment-sub/list.ts";
import * as deploymentSubShow from "./commands/deployment-sub/show.ts";
import * as deploymentSubValidate from "./commands/deployment-sub/validate.ts";
import * as deploymentSubWhatIf from "./commands/deployment-sub/what-if.ts";
import * as groupCreate from "./commands/group/create.ts";
import * as groupDelete from "./commands/group/delete.ts";
import * as groupList from "./commands/group/list.ts";
import * as groupShow from "./commands/group/show.ts";
import * as identityCreate from "./commands/identity/create.ts";
import * as identityDelete from "./commands/identity/delete.ts";
import * as identityList from "./commands/identity/list.ts";
import * as identityRotateSecret from "./commands/identity/rotate-secret.ts";
import * as identityShow from "./commands/identity/show.ts";
import * as loginLogin from "./commands/login/login.ts";
import * as logoutLogout from "./commands/logout/logout.ts";
import * as quotaCreate from "./commands/quota/create.ts";
import * as quotaDelete from "./commands/quota/delete.ts";
import * as quotaList from "./commands/quota/list.ts";
import * as resourceList from "./commands/resource/list.ts";
import * as resourceShow from "./commands/resource/show.ts";
import * as roleCheckAccess from "./commands/role/check-access.ts";
import * as roleAssignmentCreate from "./commands/role-assignment/create.ts";
import * as roleAssignmentDelete from "./commands/role-assignment/delete.ts";
import * as roleAssignmentList from "./commands/role-assignment/list.ts";
import * as roleDefinitionCreate from "./commands/role-definition/create.ts";
import * as roleDefinitionDelete from "./commands/role-definition/delete.ts";
import * as roleDefinitionList from "./commands/role-definition/list.ts";
import * as roleDefinitionUpdate from "./commands/role-definition/update.ts";
import * as serveServe from "./commands/serve/serve.ts";
import * as usageUsage from "./commands/usage/usage.ts";

/** Every command the CLI knows; `-h` tests enumerate this table. */
export const commandTable: readonly CommandSpec[] = [
  accountGetAccessToken,
  accountList,
  accountSet,
  accountShow,
  adAppCreate,
  adAppList,
  adAppShow,
  adAppCredentialReset,
  adGroupCreate,
  adGroupDelete,
  adGroupList,
  adGroupShow,
  adGroupMemberAdd,
  adGroupMemberCheck,
  adGroupMemberList,
  adGroupMemberRemove,
  adSignedInUserShow,
  adSpCreateForRbac,
  adSpCreate,
  adSpDelete,
  adSpList,
  adSpShow,
  adUserCreate,
  adUserDelete,
  adUserList,
  adUserShow,
  adUserUpdate,
  applyApply,
  auditCalls,
  auditList,
  chatChat,
  cloudAzConfig,
  cloudList,
  cloudRegister,
  cloudSet,
  cloudShow,
  cloudUnregister,
  csAccountCreate,
  csAccountDelete,
  csAccountList,
  csAccountShow,
  csAccountDeploymentCreate,
  csAccountDeploymentDelete,
  csAccountDeploymentList,
  csAccountDeploymentShow,
  csAccountRaiPolicyCreate,
  csAccountRaiPolicyDelete,
  csAccountRaiPolicyList,
  csAccountRaiPolicyShow,
  csAccountRaiBlocklistCreate,
  csAccountRaiBlocklistDelete,
  csAccountRaiBlocklistList,
  csAccountRaiBlocklistShow,
  csAccountRaiBlocklistItemAdd,
  csAccountRaiBlocklistItemDelete,
  csAccountRaiBlocklistItemList,
  csAccountRaiBlocklistItemShow,
  csAccountKeysList,
  csAccountKeysRegenerate,
  csModelList,
  deploymentGroupCreate,
  deploymentGroupValidate,
  deploymentGroupWhatIf,
  deploymentGroupShow,
  deploymentGroupList,
  deploymentGroupDelete,
  deploymentSubCreate,
  deploymentSubValidate,
  deploymentSubWhatIf,
  deploymentSubShow,
  deploymentSubList,
  deploymentSubDelete,
  deploymentOperationGroupList,
  groupCreate,
  groupDelete,
  groupList,
  groupShow,
  identityCreate,
  identityDelete,
  identityList,
  identityShow,
  identityRotateSecret,
  loginLogin,
  logoutLogout,
  resourceList,
  resourceShow,
  roleCheckAccess,
  roleAssignmentCreate,
  roleAssignmentDelete,
  roleAssignmentList,
  roleDefinitionCreate,
  roleDefinitionDelete,
  roleDefinitionList,
  roleDefinitionUpdate,
  quotaCreate,
  quotaDelete,
  quotaList,
  serveServe,
  usageUsage,
].map((m) => m.spec);
