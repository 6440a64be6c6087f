// The Users tab: the system users in a list on the left, the selected one's editor on the right.
// Users live in the one settings draft (saved with the dialog's Save); their own SMTP passwords
// wait in useUserPasswords until then. The current user is found by the OS account main reports.
import { useEffect, useMemo, useState } from 'react';
import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { MasterDetail } from '../components/MasterDetail';
import { byName, optionOf, useFocusRequest } from '../hooks/useFocusRequest';
import { newUser, type Settings, type SystemUser, type WhoAmI } from '../../../preload/contract';
import type { FormBinding } from '../components/fields';
import { DeleteUserDialog } from './DeleteUserDialog';
import { UserEditor } from './UserEditor';
import { UserList } from './UserList';
import { USER_KEYS, isMe, parseUserPath, userPath } from './user-form';
import type { UserPasswords } from '../hooks/useUserPasswords';


export interface UsersTabProps {
  form: FormBinding<Settings>;
  who: WhoAmI | null;
  passwords: UserPasswords;
  platform: string | undefined;
  /** Office mode: users are database roles. */
  office?: boolean;
  /** A field to bring into view, by dot path: the first error of a refused save, say. */
  revealPath?: string | null;
}

export function UsersTab({ form, who, passwords, platform, office = false, revealPath }: UsersTabProps) {
  const users = form.draft.users;
  const account = who?.account;
  // Whoever may not change the settings may still look at every user.
  const readOnly = form.isReadOnly('users');
  const [selectedId, setSelectedId] = useState<string | undefined>(
    () => users.find((u) => isMe(u, account))?.id ?? users[0]?.id,
  );
  const [filter, setFilter] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);

  // The selection falls back to the first user when its own is gone (after Revert, say).
  const selectedIndex = Math.max(0, users.findIndex((u) => u.id === selectedId));
  const selected = users[selectedIndex];

  // Until the answer about who is at the keyboard arrives, the first user is selected; then, if
  // the user has not chosen yet, their own row is.
  const [chosen, setChosen] = useState(false);
  useEffect(() => {
    if (chosen || account === undefined) return;
    const mine = users.find((u) => isMe(u, account));
    if (mine) setSelectedId(mine.id);
    // Only the first answer moves the selection.
  }, [account]);

  const setFocusRequest = useFocusRequest(selected?.id);

  // A refused save (or a link from the Email tab) names a field; when it belongs to a user, show that user.
  useEffect(() => {
    const parsed = revealPath ? parseUserPath(revealPath) : null;
    const user = parsed ? users[parsed.index] : undefined;
    if (!revealPath || !user) return;
    setSelectedId(user.id);
    setChosen(true);
    setFilter('');
    setFocusRequest(byName(revealPath));
    // Only a new request moves the selection, not later edits of the list.
  }, [revealPath]);

  const setUsers = (next: SystemUser[]) => form.onChange('users', next);
  const meListed = account !== undefined && users.some((u) => isMe(u, account));
  const meAdmin = account !== undefined && users.some((u) => isMe(u, account) && u.admin);

  const withErrors = useMemo(() => {
    const ids = new Set<string>();
    users.forEach((u, i) => {
      if (USER_KEYS.some((key) => form.errorFor(userPath(i, key)) !== undefined) || passwords.errorFor(u.id)) ids.add(u.id);
    });
    return ids;
  }, [users, form, passwords]);

  const add = (user: SystemUser, focusField: 'account' | 'name') => {
    setUsers([...users, user]);
    setSelectedId(user.id);
    setChosen(true);
    setFilter('');
    setFocusRequest(byName(userPath(users.length, focusField)));
  };

  const remove = (id: string) => {
    const at = users.findIndex((u) => u.id === id);
    if (at < 0) return;
    const next = users.filter((u) => u.id !== id);
    setUsers(next);
    passwords.forget(id);
    const neighbour = next[at] ?? next[at - 1];
    setSelectedId(neighbour?.id);
    setDeleting(null);
    setFocusRequest(neighbour ? optionOf(neighbour.id) : null);
  };

  const listError = form.errorFor('users');
  const deletingUser = users.find((u) => u.id === deleting);

  return (
    <MasterDetail
      master={
        <>
          <UserList
            users={users}
            selectedId={selected?.id}
            account={account}
            withErrors={withErrors}
            filter={filter}
            onFilterChange={setFilter}
            onSelect={(id) => {
              setSelectedId(id);
              setChosen(true);
            }}
            readOnly={readOnly}
            onAdd={() => add(newUser(crypto.randomUUID(), ''), 'account')}
            {...(account !== undefined && !meListed
              ? { onAddMe: () => add({ ...newUser(crypto.randomUUID(), account), admin: true }, 'name') }
              : {})}
            onDelete={() => selected && setDeleting(selected.id)}
          />
          {/* Named like a field, and always there, so a refused save knows its message shows here and moves to it. */}
          <div ref={(el) => el?.setAttribute('name', 'users')} tabIndex={-1} hidden={!listError}>
            {listError && (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>{listError}</MessageBarBody>
              </MessageBar>
            )}
          </div>
          {!readOnly && users.length > 0 && account !== undefined && !meAdmin && (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>You are not an administrator here</MessageBarTitle>
                You sign in as {account}. Saving is refused until you are on this list as an administrator, or you could no
                longer change these settings: choose {meListed ? 'yourself and turn on Administrator' : 'Add me'}.
              </MessageBarBody>
            </MessageBar>
          )}
        </>
      }
      detail={
        selected ? (
          <UserEditor
            key={selected.id}
            form={form}
            index={selectedIndex}
            user={selected}
            isMe={isMe(selected, account)}
            canEditUsers={!readOnly}
            passwords={passwords}
            platform={platform}
            office={office}
          />
        ) : null
      }
      empty={{
        title: 'No system users yet',
        text: [
          'A system user is a person who signs in to this computer and uses Mailroom: their own address and SMTP sign-in, how they compose and send where you allow them to choose, and whether they may change these settings.',
          'Until there are users, whoever runs Mailroom may change the settings. Start with Add me: you become the first administrator.',
        ],
      }}
    >
      {deletingUser && (
        <DeleteUserDialog
          user={deletingUser}
          isMe={isMe(deletingUser, account)}
          onDelete={() => remove(deletingUser.id)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </MasterDetail>
  );
}
