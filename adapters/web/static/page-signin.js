import { accountForm } from "./account-form.js";

accountForm({
  form: "#signin-form",
  email: "#signin-email",
  password: "#signin-password",
  error: "#signin-error",
  path: "/api/auth/login",
  after: "/live",
});
