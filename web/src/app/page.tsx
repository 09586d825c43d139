export default function Page() {
  return <h1>Hallway</h1>;
}
